"""Unsubscribing: a signed link in every email, and what following it does.

Every email carries `List-Unsubscribe: <mailto:...>, <https://.../unsubscribe/TOKEN/>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). A mail client's one-click POST
to that URL opts the person out at once, no login and no form; a person who opens it in a
browser sees a page with one button, which POSTs the same (mail scanners only GET).

The token is the contact's id signed with the secret key (its own salt); it does not expire, as
RFC 8058 asks of a link in a message that may be read months later. Unsubscribing records the
opt-out (advocacy.pipeline.agreement_services.opt_out: open asks cancelled, the agreement
ended) and puts the address on the suppression list for mail, which outlives the contact row:
the same person imported again is still not written to (advocacy.customers.suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction

from advocacy.customers.models import Contact
from advocacy.customers.suppression import suppress_mail
from advocacy.pipeline.agreement_services import opt_out

SALT = "advocacy.messaging.unsubscribe"
PATH = "/unsubscribe/"


class BadToken(Exception):
    """The link is not one we sent, or names a person no longer here."""


def unsubscribe_token(contact_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(contact_id))


def trial_token(contact_id: int) -> str:
    """The token of a test sent to a team member: the page opens, nothing changes."""
    return signing.Signer(salt=SALT).sign(f"test-{contact_id}")


def is_test(token: str) -> bool:
    try:
        return signing.Signer(salt=SALT).unsign(token).startswith("test-")
    except signing.BadSignature:
        return False


def unsubscribe_url(contact_id: int) -> str:
    return f"{settings.SITE_URL}{PATH}{unsubscribe_token(contact_id)}/"


def unsubscribe_mailto(contact_id: int, from_address: str) -> str:
    mailbox = settings.UNSUBSCRIBE_MAILTO or from_address
    return f"mailto:{mailbox}?subject=unsubscribe%20{unsubscribe_token(contact_id)}"


def contact_of(token: str) -> Contact:
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise BadToken("this unsubscribe link is not one we sent") from None
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        raise BadToken("this person is no longer on our lists: nothing more will be sent")
    return contact


@dataclass(frozen=True)
class Unsubscribed:
    contact: Contact
    already: bool
    cancelled: list[int]


@transaction.atomic
def unsubscribe(token: str, *, now: datetime) -> Unsubscribed:
    """Opt the person of `token` out and suppress their address for mail; twice is once."""
    contact = contact_of(token)
    result = opt_out(contact, now=now, actor=None, reason="unsubscribed from an email")
    suppress_mail([contact.email], now=now)
    return Unsubscribed(contact, result.already, result.cancelled)
