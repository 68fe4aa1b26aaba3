"""URL map: the staff web UI at /, the REST API under /api/, the advocate portal under /portal/,
Slack's button presses at /slack/actions/, the public referral form at /r/<code>/,
connections' inbound webhooks at /hooks/<token>/.

A path under /api/ that no route matches answers JSON, not the web UI's 404 page: see
`advocacy.api.middleware`.
"""

from django.urls import include, path

urlpatterns = [
    path("api/", include("advocacy.api.urls")),
    path("portal/", include("advocacy.portal.urls")),
    path("r/", include("advocacy.portal.refer_urls")),  # the public referral form
    path("slack/", include("advocacy.integrations.slack.urls")),
    path("hooks/", include("advocacy.integrations.connectors.urls")),
    path("", include("advocacy.web.urls")),
]
