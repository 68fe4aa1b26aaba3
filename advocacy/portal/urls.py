"""URLs of the advocate portal (namespace "portal"), mounted at /portal/.

Every page but the two that take a link needs the portal session of one advocate
(`advocacy.portal.session.advocate_required`); the staff UI's access middleware leaves the
portal to that check, and a test walks every route to hold it so.
"""

from django.urls import path

from advocacy.portal.views import (
    account,
    asks,
    badge,
    content,
    enter,
    insights,
    pages,
    referrals,
    rewards,
)

app_name = "portal"

# Routes reached with a link instead of a portal session.
LINK_ROUTES = frozenset({"enter", "fresh_link"})
# Routes open to anyone, with or without a session: leaving one, and the page for an address
# that names nothing.
OPEN_ROUTES = frozenset({"leave", "not_found"})

urlpatterns = [
    path("", asks.home, name="home"),
    path("enter/<str:token>/", enter.enter, name="enter"),
    path("enter/<str:token>/fresh/", enter.fresh_link, name="fresh_link"),
    path("asks/<int:pk>/answer/", asks.answer, name="ask_answer"),
    path("asks/<int:pk>/alternative/", asks.alternative, name="ask_alternative"),
    path("asks/<int:pk>/time/", asks.choose, name="ask_time"),
    path("content/", content.library, name="content"),
    path("content/<int:pk>/", content.detail, name="asset"),
    path("content/<int:pk>/approve/", content.approve, name="asset_approve"),
    path("content/<int:pk>/changes/", content.changes, name="asset_changes"),
    path("content/<int:pk>/decline/", content.decline, name="asset_decline"),
    path("preferences/", account.preferences, name="preferences"),
    path("preferences/weekly/", insights.weekly, name="weekly_insights"),
    path("opt-out/", account.opt_out, name="opt_out"),
    path("history/", account.history, name="history"),
    path("rewards/", rewards.rewards, name="rewards"),
    path("referrals/", referrals.referrals, name="referrals"),
    path("badge/", badge.get_badge, name="badge"),
    path("leave/", account.leave, name="leave"),
    path("<path:rest>", pages.not_found, name="not_found"),  # last: what nothing above matched
]
