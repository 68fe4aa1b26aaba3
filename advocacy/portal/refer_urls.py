"""The public referral form (namespace "refer"), mounted at /r/: an advocate's link.

Open to anyone, with no login or portal session: the peer an advocate refers fills it in. The
staff UI's access middleware leaves this area to the views (CSRF, a rate per address).
"""

from django.urls import path

from advocacy.portal.views import refer

app_name = "refer"

urlpatterns = [
    path("<str:code>/", refer.form, name="form"),
    path("<str:code>/thanks/", refer.thanks, name="thanks"),
]
