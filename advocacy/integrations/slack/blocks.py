"""A notice as a Slack message (Block Kit): what happened, a link to act on it in the staff UI,
and, for a notice about an ask, the buttons "Claim" (the ask is yours) and "Mark done" (it is
completed). The buttons' presses come back to /slack/actions (advocacy.integrations.slack.views).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from advocacy.pipeline.notices import Notice

CLAIM, DONE = "claim_ask", "done_ask"


def url_of(notice: Notice) -> str:
    if notice.path:
        return f"{settings.SITE_URL}{notice.path}"
    if notice.ask_id is not None:
        return f"{settings.SITE_URL}/asks/{notice.ask_id}/"
    if notice.contact_id is not None:
        return f"{settings.SITE_URL}/contacts/{notice.contact_id}/"
    return f"{settings.SITE_URL}/"


def text_for(notice: Notice) -> str:
    """The plain text of the message: what notifications and screen readers show."""
    return f"{notice.get_kind_display()}: {notice.text}"


def _escape(text: str) -> str:
    """Slack's mrkdwn escapes: &, < and > (its own link syntax)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks_for(notice: Notice) -> list[dict[str, Any]]:
    text = f"*{_escape(notice.get_kind_display())}*: {_escape(notice.text)}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"<{url_of(notice)}|Open it>"}],
        },
    ]
    if notice.ask_id is not None:
        value = str(notice.ask_id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"ask-{notice.ask_id}",
                "elements": [
                    {"type": "button", "action_id": CLAIM, "value": value, "style": "primary",
                     "text": {"type": "plain_text", "text": "Claim"}},
                    {"type": "button", "action_id": DONE, "value": value,
                     "text": {"type": "plain_text", "text": "Mark done"}},
                ],
            }
        )  # fmt: skip
    return blocks
