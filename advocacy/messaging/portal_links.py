"""A portal link for one advocate, taken by a person of the team to send by hand.

The one way staff get a magic link: the contact page's button, `advocacy portal link EMAIL` and
`POST /api/contacts/{id}/portal-link` all call `issue_portal_link`. The link opens one person's
portal, so the service refuses someone who left the company (their mailbox is no longer theirs)
and records who took a link, for whom and until when in the audit log; the link itself is
never written down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advocacy.customers.models import Contact
from advocacy.messaging.links import lifetime, link_url
from advocacy.people import audit
from advocacy.people.permissions import TABLE, Action
from advocacy.pipeline.models import Ask


class CannotIssue(ValueError):
    """A link that must not be given; the message says why."""


@dataclass(frozen=True)
class IssuedLink:
    contact: Contact
    url: str
    expires_at: datetime
    ask_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact.pk,
            "email": self.contact.email,
            "url": self.url,
            "expires_at": self.expires_at.isoformat(),
            "ask_id": self.ask_id,
        }


def issue_portal_link(
    contact: Contact,
    *,
    actor: Any,
    via: str,
    now: datetime,
    ask_id: int | None = None,
    ip: str | None = None,
    key_prefix: str = "",
) -> IssuedLink:
    """A fresh single-use link to `contact`'s portal (about `ask_id`, one of theirs, if given)."""
    if contact.left_company_at is not None:
        raise CannotIssue(
            f"{contact.email} left the company: a link sent there would reach someone else"
        )
    if ask_id is not None and not Ask.objects.filter(pk=ask_id, contact=contact).exists():
        raise CannotIssue(f"ask {ask_id} is not one of {contact.email}'s asks")
    url = link_url(contact.pk, ask_id=ask_id)
    expires_at = now + lifetime()
    audit.record(
        actor=actor,
        action=Action.PORTAL_LINK.value,
        via=via,
        now=now,
        target=f"contact {contact.pk}",
        summary=TABLE[Action.PORTAL_LINK].text,
        detail={"ask_id": ask_id, "expires_at": expires_at.isoformat()},
        ip=ip,
        key_prefix=key_prefix,
    )
    return IssuedLink(contact, url, expires_at, ask_id)
