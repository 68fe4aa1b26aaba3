"""Value moments as emails: the outbox renders them through messaging's registry of letters.

Registered in ValueConfig.ready for the kind `value`. Rendered from the row alone (its contact,
the account, its `payload`), no query, as the worker renders every email: from the account's
CSM (else the program's address), with the person's List-Unsubscribe, like every email to an
advocate. The outbox's holds (opted out, unsubscribed, erased, left) apply to it unchanged.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.messaging.links import link_url
from advocacy.messaging.models import Message
from advocacy.messaging.rendering import Rendered, sender
from advocacy.messaging.unsubscribe import unsubscribe_mailto, unsubscribe_url
from advocacy.value.insights import milestone_lines, sentences
from advocacy.value.models import MomentKind

SUBJECTS = {
    MomentKind.MONTHLY: "{company}'s {product} insights for {period_words}",
    MomentKind.WEEKLY: "Your {product} week: {period_words}",
    MomentKind.WRAPPED: "Your {period} with {product}, {first_name}",
    MomentKind.ACCOUNT_WRAPPED: "{company}'s {period} with {product}",
}
TEMPLATES = {
    MomentKind.MONTHLY: "insight",
    MomentKind.WEEKLY: "insight",
    MomentKind.WRAPPED: "wrapped",
    MomentKind.ACCOUNT_WRAPPED: "wrapped",
}


def context(message: Message, link: str | None) -> dict[str, Any]:
    """The merge fields of a value moment's email."""
    contact = message.advocate
    payload = dict(message.payload)
    moment = payload.get("moment", MomentKind.MONTHLY)
    fields = {
        "first_name": contact.first_name or contact.full_name or "there",
        "company": payload.get("company") or contact.account.name,
        "product": settings.PRODUCT_NAME,
        "program": settings.PROGRAM_NAME,
        "period": payload.get("period", ""),
        "period_words": payload.get("period_words", ""),
    }
    subject = SUBJECTS[moment].format(**fields)
    lines = sentences(payload) if TEMPLATES[moment] == "insight" else payload.get("lines", [])
    return {
        **fields,
        "moment": moment,
        "weekly": moment == MomentKind.WEEKLY,
        "subject": subject,
        "lines": lines,
        "milestones": milestone_lines(payload) if "milestones" in payload else [],
        "link": link if link is not None else link_url(contact.pk),
        "unsubscribe_url": unsubscribe_url(contact.pk),
        "test": False,
        "full_name": contact.full_name or contact.email,
    }


def render_value(message: Message, link: str | None = None) -> Rendered:
    """The email of a value moment's outbox row (or of an unsaved one, for a preview)."""
    ctx = context(message, link)
    template = TEMPLATES[ctx["moment"]]
    text = render_to_string(f"value/email/{template}.txt", ctx)
    html = render_to_string(f"value/email/{template}.html", ctx)
    from_header = sender(message)
    mailbox = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    headers = {
        "From": from_header,
        "Reply-To": from_header,
        "Message-ID": message.message_id,
        "List-Unsubscribe": f"<{unsubscribe_mailto(message.advocate.pk, mailbox)}>, "
        f"<{ctx['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if from_header != settings.DEFAULT_FROM_EMAIL:
        headers["Sender"] = settings.DEFAULT_FROM_EMAIL
    return Rendered(
        f"value_{ctx['moment']}",
        ctx["subject"],
        text,
        html,
        from_header,
        message.advocate.email,
        headers,
    )
