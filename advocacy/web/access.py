"""Who may open each page and press each button of the web UI, enforced in one middleware.

Every route of the `web` namespace names two actions of the permission table
(advocacy.people.permissions): the one a GET needs and the one a POST needs. A route missing
here is refused to everyone (and fails the route matrix test), so a new page cannot be left
open by forgetting it. A successful POST is written to the audit log with what was submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from advocacy.people import audit
from advocacy.people.models import Via
from advocacy.people.permissions import SELF_AUDITED, TABLE, Action, allowed, refusal

A = Action
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Routes anyone may reach, logged in or not.
# `unsubscribe` is the link in every email to advocates: it must work without a login.
# The badge's page and image (an unguessable token) and the featured customers (only what
# consent allows) are public by design: advocates share them, websites embed them.
PUBLIC = frozenset(
    {
        "login",
        "logout",
        "password_set",
        "password_set_done",
        "unsubscribe",
        "badge",
        "badge_svg",
        "badge_png",
        "featured_public",
        "featured_json",
    }
)

# Areas with their own guard, which this middleware leaves to it: the REST API (API keys and
# the staff session, advocacy.api.auth) and the advocate portal (a portal session opened by a
# magic link, advocacy.portal.session; a staff login never opens it), and Slack's button
# presses (Slack's signature, then the Slack member's role: advocacy.integrations.slack.actions,
# whose BUTTONS name the action of the table each button needs), the public referral form at
# /r/<code>/ (open to anyone, rate-limited per address: advocacy.portal.views.refer), and
# connections' inbound webhooks (the url's token, then the vendor's signature:
# advocacy.integrations.connectors.ingest). Any other area is refused.
OWN_AREAS = frozenset({"api", "portal", "refer", "slack", "connectors"})

# url name → (action for GET, action for POST). A page whose GET only shows a form for a write
# asks for the write's action on GET too, so nobody is shown a form they cannot submit.
ROUTES: dict[str, tuple[Action, Action]] = {
    "home": (A.VIEW, A.VIEW),
    "password_change": (A.VIEW, A.VIEW),
    "password_change_done": (A.VIEW, A.VIEW),
    "accounts": (A.VIEW, A.VIEW),
    "account": (A.VIEW, A.VIEW),
    "contacts": (A.VIEW, A.VIEW),
    "contact": (A.VIEW, A.VIEW),
    "contact_next_ask": (A.VIEW, A.VIEW),
    "contact_ask": (A.ASKS_OPEN, A.ASKS_OPEN),
    "contacts_ask": (A.ASKS_OPEN, A.ASKS_OPEN),
    "contact_nominate": (A.NOMINATE, A.NOMINATE),
    "asks": (A.VIEW, A.VIEW),
    "asks_assign": (A.ASKS_ASSIGN, A.ASKS_ASSIGN),
    "search": (A.VIEW, A.VIEW),
    "advocates": (A.VIEW, A.VIEW),
    "advocates_refresh": (A.PROFILES_REFRESH, A.PROFILES_REFRESH),
    "plays": (A.VIEW, A.VIEW),
    "play": (A.VIEW, A.VIEW),
    "play_run": (A.PLAYS_RUN, A.PLAYS_RUN),
    "play_simulate": (A.PLAYS_SIMULATE, A.PLAYS_SIMULATE),
    "playbook_load": (A.PLAYBOOK_LOAD, A.PLAYBOOK_LOAD),
    "playbook_run": (A.PLAYS_RUN, A.PLAYS_RUN),
    "pipeline": (A.VIEW, A.VIEW),
    "pipeline_column": (A.VIEW, A.VIEW),
    "pipeline_view_save": (A.ASKS_VIEWS, A.ASKS_VIEWS),
    "pipeline_view_remove": (A.ASKS_VIEWS, A.ASKS_VIEWS),
    "ask": (A.VIEW, A.VIEW),
    "ask_move": (A.ASKS_MOVE, A.ASKS_MOVE),
    "ask_email": (A.VIEW, A.VIEW),
    "ask_email_html": (A.VIEW, A.VIEW),
    "ask_email_test": (A.MESSAGES_TEST, A.MESSAGES_TEST),
    "outbox": (A.VIEW, A.VIEW),
    "referrals": (A.VIEW, A.VIEW),
    "referral_new": (A.REFERRALS_FILE, A.REFERRALS_FILE),
    "referral": (A.VIEW, A.VIEW),
    "referral_move": (A.REFERRALS_MOVE, A.REFERRALS_MOVE),
    "rewards": (A.VIEW, A.VIEW),
    "recognition": (A.VIEW, A.VIEW),
    "recognition_champions_csv": (A.VIEW, A.VIEW),
    "contact_badge": (A.RECOGNITION_BADGE, A.RECOGNITION_BADGE),
    "value": (A.VIEW, A.VIEW),
    "value_preview": (A.VIEW, A.VIEW),
    "value_send": (A.VALUE_SEND, A.VALUE_SEND),
    "contact_wrapped": (A.VIEW, A.VIEW),
    "contact_wrapped_pdf": (A.VIEW, A.VIEW),
    "account_wrapped": (A.VIEW, A.VIEW),
    "account_wrapped_pdf": (A.VIEW, A.VIEW),
    "contact_weekly": (A.VALUE_PREFERENCES, A.VALUE_PREFERENCES),
    "redemption_release": (A.REWARDS_FULFIL, A.REWARDS_FULFIL),
    "rewards_budget": (A.REWARDS_BUDGET, A.REWARDS_BUDGET),
    "rewards_process": (A.REWARDS_FULFIL, A.REWARDS_FULFIL),
    "rewards_credit": (A.REWARDS_CREDIT, A.REWARDS_CREDIT),
    "rewards_redeem": (A.REWARDS_REDEEM, A.REWARDS_REDEEM),
    "entry_reverse": (A.REWARDS_CREDIT, A.REWARDS_CREDIT),
    "redemption_refuse": (A.REWARDS_FULFIL, A.REWARDS_FULFIL),
    "redemption_fulfil": (A.REWARDS_FULFIL, A.REWARDS_FULFIL),
    "message": (A.VIEW, A.VIEW),
    "mail_folder": (A.PORTAL_LINK, A.PORTAL_LINK),
    "mail_folder_entry": (A.PORTAL_LINK, A.PORTAL_LINK),
    "mail_folder_html": (A.PORTAL_LINK, A.PORTAL_LINK),
    "message_retry": (A.MESSAGES_RETRY, A.MESSAGES_RETRY),
    "slack_posts": (A.VIEW, A.VIEW),
    "slack_post_resend": (A.MESSAGES_RETRY, A.MESSAGES_RETRY),
    "ask_pause": (A.ASKS_GUARD, A.ASKS_GUARD),
    "ask_resume": (A.ASKS_GUARD, A.ASKS_GUARD),
    "ask_reassign": (A.ASKS_ASSIGN, A.ASKS_ASSIGN),
    "contact_agreement": (A.AGREEMENTS_WRITE, A.AGREEMENTS_WRITE),
    "contact_opt_out": (A.OPT_OUT, A.OPT_OUT),
    "contact_portal_link": (A.PORTAL_LINK, A.PORTAL_LINK),
    "agreement_end": (A.AGREEMENTS_WRITE, A.AGREEMENTS_WRITE),
    "ask_step_done": (A.ASKS_STEP, A.ASKS_STEP),
    "escalate": (A.ASKS_ESCALATE, A.ASKS_ESCALATE),
    "routing": (A.VIEW, A.ROUTING_EDIT),
    "routing_apply": (A.ROUTING_APPLY, A.ROUTING_APPLY),
    "routing_edit": (A.ROUTING_EDIT, A.ROUTING_EDIT),
    "routing_delete": (A.ROUTING_EDIT, A.ROUTING_EDIT),
    "checklists": (A.VIEW, A.VIEW),
    "checklist": (A.VIEW, A.CHECKLISTS_EDIT),
    "content": (A.VIEW, A.VIEW),
    "asset_new": (A.CONTENT_CREATE, A.CONTENT_CREATE),
    "content_expiry": (A.CONTENT_EXPIRY, A.CONTENT_EXPIRY),
    "asset": (A.VIEW, A.VIEW),
    "asset_edit": (A.CONTENT_EDIT, A.CONTENT_EDIT),
    "asset_move": (A.CONTENT_MOVE, A.CONTENT_MOVE),
    "asset_consent": (A.CONTENT_CONSENT, A.CONTENT_CONSENT),
    "asset_use": (A.CONTENT_USE, A.CONTENT_USE),
    "asset_preview": (A.VIEW, A.VIEW),
    "asset_pdf": (A.VIEW, A.VIEW),
    "references": (A.VIEW, A.VIEW),
    "reference_new": (A.REFERENCES_FILE, A.REFERENCES_FILE),
    "reference": (A.VIEW, A.VIEW),
    "reference_offer": (A.REFERENCES_DESK, A.REFERENCES_DESK),
    "reference_result": (A.REFERENCES_FILE, A.REFERENCES_FILE),
    "reference_close": (A.REFERENCES_FILE, A.REFERENCES_FILE),
    "reference_respond": (A.REFERENCES_DESK, A.REFERENCES_DESK),
    "reference_schedule": (A.REFERENCES_CALL, A.REFERENCES_CALL),
    "reference_times": (A.REFERENCES_CALL, A.REFERENCES_CALL),
    "reference_invite": (A.VIEW, A.VIEW),
    "reference_outcome": (A.REFERENCES_CALL, A.REFERENCES_CALL),
    "reference_reschedule": (A.REFERENCES_CALL, A.REFERENCES_CALL),
    "imports": (A.VIEW, A.VIEW),
    "import_new": (A.IMPORTS_RUN, A.IMPORTS_RUN),
    "import_detail": (A.VIEW, A.VIEW),
    "import_commit": (A.IMPORTS_RUN, A.IMPORTS_RUN),
    "import_cancel": (A.IMPORTS_RUN, A.IMPORTS_RUN),
    "import_errors": (A.VIEW, A.VIEW),
    "import_resume": (A.IMPORTS_RUN, A.IMPORTS_RUN),
    "jobs": (A.VIEW, A.VIEW),
    "job": (A.VIEW, A.VIEW),
    "job_artefact": (A.VIEW, A.VIEW),
    "metrics": (A.VIEW, A.VIEW),
    "metrics_scorecard": (A.VIEW, A.SCORECARD_EDIT),
    "metrics_scorecard_remove": (A.SCORECARD_EDIT, A.SCORECARD_EDIT),
    "metrics_council": (A.VIEW, A.VIEW),
    "metrics_council_pdf": (A.VIEW, A.VIEW),
    "metrics_export": (A.VIEW, A.VIEW),
    "metric": (A.VIEW, A.VIEW),
    "my_notices": (A.NOTICES_OWN, A.NOTICES_OWN),
    "users": (A.USERS_MANAGE, A.USERS_MANAGE),
    "user": (A.USERS_MANAGE, A.USERS_MANAGE),
    "user_password": (A.USERS_MANAGE, A.USERS_MANAGE),
    "user_unlock": (A.USERS_MANAGE, A.USERS_MANAGE),
    "api_keys": (A.KEYS_MANAGE, A.KEYS_MANAGE),
    "connections": (A.CONNECTORS_VIEW, A.CONNECTORS_MANAGE),
    "connection_remove": (A.CONNECTORS_MANAGE, A.CONNECTORS_MANAGE),
    "connection_sync": (A.CONNECTORS_MANAGE, A.CONNECTORS_MANAGE),
    "connections_inbox": (A.CONNECTORS_VIEW, A.CONNECTORS_VIEW),
    "inbox_request": (A.CONNECTORS_VIEW, A.CONNECTORS_VIEW),
    "inbox_replay": (A.CONNECTORS_MANAGE, A.CONNECTORS_MANAGE),
    "reviews_import": (A.IMPORTS_RUN, A.IMPORTS_RUN),
    "webhooks": (A.WEBHOOKS_VIEW, A.WEBHOOKS_MANAGE),
    "webhook_remove": (A.WEBHOOKS_MANAGE, A.WEBHOOKS_MANAGE),
    "webhook_deliveries": (A.WEBHOOKS_VIEW, A.WEBHOOKS_VIEW),
    "webhook_delivery": (A.WEBHOOKS_VIEW, A.WEBHOOKS_VIEW),
    "webhook_redeliver": (A.WEBHOOKS_MANAGE, A.WEBHOOKS_MANAGE),
    "api_key_revoke": (A.KEYS_MANAGE, A.KEYS_MANAGE),
    "contact_export": (A.PRIVACY_MANAGE, A.PRIVACY_MANAGE),
    "contact_erase": (A.PRIVACY_MANAGE, A.PRIVACY_MANAGE),
    "audit": (A.AUDIT_VIEW, A.AUDIT_VIEW),
    "audit_export": (A.AUDIT_VIEW, A.AUDIT_VIEW),
}

_AUDIT_ATTR = "_advocacy_audit_action"


class Rights:
    """What the signed-in user may do, for templates: `{% if can.content_move %}`."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getattr__(self, name: str) -> bool:
        try:
            action = Action(name.replace("_", ".", 1))
        except ValueError:
            raise AttributeError(name) from None
        return allowed(self.user, action)


class Posts:
    """Whether the signed-in user may send a page's form: `{% if may.asset_move %}`."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getattr__(self, name: str) -> bool:
        action = action_for(name, "POST")
        if action is None:
            raise AttributeError(name)
        return allowed(self.user, action)


def permissions(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `can` (the user's rights) and `may` (the forms they may send)."""
    user = getattr(request, "user", None)
    return {"can": Rights(user), "may": Posts(user)}


def action_for(url_name: str, method: str) -> Action | None:
    rule = ROUTES.get(url_name)
    if rule is None:
        return None
    return rule[0] if method in SAFE_METHODS else rule[1]


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _submitted(request: HttpRequest) -> dict[str, Any]:
    detail = audit.clean(dict(request.POST.lists()))
    if request.FILES:
        detail["files"] = [f.name for key in request.FILES for f in request.FILES.getlist(key)]
    return detail


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


class AccessMiddleware:
    """Refuse what the user's role does not allow; audit each successful write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        marked: tuple[Action, str] | None = getattr(request, _AUDIT_ATTR, None)
        if marked is not None and response.status_code < 400:
            action, url_name = marked
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=action.value if action is not Action.VIEW else f"web.{url_name}",
                via=Via.WEB,
                now=timezone.now(),
                target=request.path,
                summary=TABLE[action].text if action is not Action.VIEW else url_name,
                detail=_submitted(request),
                ip=client_ip(request),
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.namespace in OWN_AREAS:
            return None
        if match.namespace != "web":
            return forbidden(request, "this page belongs to no area; nobody may open it")
        if match.url_name in PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        method = request.method or "GET"
        action = action_for(match.url_name or "", method)
        if action is None:
            return forbidden(request, "this page has no access rule; nobody may open it")
        if not allowed(request.user, action):
            return forbidden(request, refusal(request.user, action))
        if method not in SAFE_METHODS and action not in SELF_AUDITED:
            setattr(request, _AUDIT_ATTR, (action, match.url_name or ""))
        return None
