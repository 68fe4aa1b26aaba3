"""The buttons of Slack's messages, pressed: check that Slack sent the request (its v0
signature over the raw body, within five minutes), find the staff user of the Slack member by
their address, check their role in the permission table, and claim or complete the ask
through the pipeline's own services, audited as from Slack.

    verify(body, headers)                  # raises Refused unless Slack signed it just now
    press(payload, now=..., api=...) -> str  # what came of it, in the member's words
    respond(payload, said)                 # posted back to the press's `response_url`

Slack ignores the body of the answer to a button press: the member sees the confirmation
posted to the press's `response_url`, only to Slack's own host (`hooks.slack.com`) or the host
of ADVOCACY_SLACK_API_URL (a local fake in the tests), never to another.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from advocacy.integrations.slack.blocks import CLAIM, DONE
from advocacy.people import audit
from advocacy.people.models import User, Via
from advocacy.people.permissions import TABLE, Action, allowed, refusal
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.services import InvalidTransition, advance_ask, assign_ask

logger = logging.getLogger(__name__)
SLACK_HOOKS = ("https", "hooks.slack.com")

# Each button and the action of the permission table it needs (docs/roles.md).
BUTTONS: dict[str, Action] = {CLAIM: Action.ASKS_ASSIGN, DONE: Action.ASKS_MOVE}


class Refused(Exception):
    """Not a request Slack signed, or signed too long ago (a replay)."""


def verify(body: bytes, headers: Mapping[str, str]) -> None:
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        raise Refused("Slack's signing secret is not set (ADVOCACY_SLACK_SIGNING_SECRET)")
    try:
        valid = SignatureVerifier(secret).is_valid_request(body, dict(headers))
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        raise Refused("the request's Slack signature is missing, wrong or too old")


def member_of(slack_user: str, api: WebClient) -> User | None:
    """The active staff user whose address is the Slack member's (`users.info`)."""
    try:
        answer = api.users_info(user=slack_user)
    except SlackApiError:
        return None
    email = str((answer.get("user") or {}).get("profile", {}).get("email", "")).strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()


def press(payload: Mapping[str, Any], *, now: datetime, api: WebClient) -> str:
    """Do what the pressed button says, if the member may; the answer to show them."""
    pressed = (payload.get("actions") or [{}])[0]
    button, value = str(pressed.get("action_id", "")), str(pressed.get("value", ""))
    action = BUTTONS.get(button)
    if action is None or not value.isdigit():
        return "That button does nothing here."
    user = member_of(str((payload.get("user") or {}).get("id", "")), api)
    if user is None:
        return "No one on the team has the address of your Slack account."
    if not allowed(user, action):
        return refusal(user, action)
    ask = Ask.objects.select_related("ask_type").filter(pk=int(value)).first()
    if ask is None:
        return f"Ask {value} is gone."
    try:
        if button == CLAIM:
            assign_ask(ask, user, actor=user, now=now, note="claimed on Slack")
            said = f"Ask {ask.pk} ({ask.ask_type.name}) is yours."
        else:
            advance_ask(ask, AskStatus.COMPLETED, actor=user, now=now, note="done, on Slack")
            said = f"Ask {ask.pk} ({ask.ask_type.name}) is completed."
    except InvalidTransition:
        return f"Ask {ask.pk} is {ask.get_status_display().lower()}: it cannot be marked done."
    audit.record(
        actor=user, action=action.value, via=Via.SLACK, now=now, target=f"ask {ask.pk}",
        summary=TABLE[action].text, detail={"button": button},
    )  # fmt: skip
    return said


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def respond(payload: Mapping[str, Any], said: str) -> bool:
    """Post `said` to the press's `response_url`, seen only by the member (ephemeral), the
    message left as it is; whether Slack took it. A URL to any other host is not followed."""
    url = str(payload.get("response_url") or "")
    if not url or _origin(url) not in {SLACK_HOOKS, _origin(settings.SLACK_API_URL)}:
        return False
    try:
        answer = WebhookClient(url, timeout=10).send(
            text=said, response_type="ephemeral", replace_original=False
        )
    except Exception:  # the press is done either way; the member sees it on the ask
        logger.warning("could not post the confirmation back to Slack", exc_info=True)
        return False
    if answer.status_code != 200:
        logger.warning("Slack refused the confirmation: %s %s", answer.status_code, answer.body)
        return False
    return True
