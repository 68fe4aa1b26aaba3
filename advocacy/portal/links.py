"""Redeeming a magic link: once, before it expires, for a contact who still exists.

`advocacy.messaging.links` makes and reads the signed tokens; this is the other half. A link
opens the portal only on POST (mail scanners follow links), and only once: its nonce goes into
`RedeemedLink`, whose unique constraint refuses a second redemption, even one at the same moment.
A link that cannot open the portal says why, and an expired or used one can still say whose it
was (the signature holds), so the advocate can ask for a fresh one in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction

from advocacy.customers.models import Contact
from advocacy.messaging.links import SALT, LinkClaim, LinkError, read_link
from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.portal.models import RedeemedLink


class LinkRefused(Exception):
    """A link that opens nothing. `reason`: expired, forged, used or closed (the person left
    the company or is no longer in the program); `contact_id` when the link is genuine."""

    def __init__(self, reason: str, contact_id: int | None = None, nonce: str = "") -> None:
        super().__init__(reason)
        self.reason, self.contact_id, self.nonce = reason, contact_id, nonce

    @property
    def renewable(self) -> bool:
        """A genuine link of a current contact: the advocate may ask for a fresh one."""
        return self.reason in ("expired", "used") and self.contact_id is not None


@dataclass(frozen=True)
class Redemption:
    contact: Contact
    ask_id: int | None
    nonce: str


def genuine_claim(token: str) -> LinkClaim | None:
    """What a genuine token says, expired or not (None: not one we signed). For offering a
    fresh link only: it opens nothing."""
    try:
        return read_link(token)
    except LinkError as exc:
        if exc.reason != "expired":
            return None
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token)
        ask = payload.get("a")
        return LinkClaim(
            contact_id=int(payload["c"]),
            ask_id=None if ask is None else int(ask),
            nonce=str(payload["n"]),
            issued_at=datetime.min,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def _current_contact(contact_id: int) -> Contact | None:
    return (
        Contact.objects.select_related("account", "account__owner")
        .filter(pk=contact_id, left_company_at__isnull=True)
        .first()
    )


def check_link(token: str) -> LinkClaim:
    """The claim of a link that may still be redeemed, without redeeming it (for the GET page);
    LinkRefused otherwise."""
    try:
        claim = read_link(token)
    except LinkError as exc:
        genuine = genuine_claim(token) if exc.reason == "expired" else None
        contact_id = genuine.contact_id if genuine is not None else None
        if contact_id is not None and _current_contact(contact_id) is None:
            raise LinkRefused("closed") from None
        raise LinkRefused(exc.reason, contact_id, genuine.nonce if genuine else "") from None
    if _current_contact(claim.contact_id) is None:
        raise LinkRefused("closed")
    if RedeemedLink.objects.filter(nonce=claim.nonce).exists():
        raise LinkRefused("used", claim.contact_id, claim.nonce)
    return claim


def redeem_link(token: str, *, now: datetime) -> Redemption:
    """Use the link: its nonce is recorded in the same statement that decides it was unused.

    Expired or forged links, and links of people who left the company or were erased, are
    refused (LinkRefused) before anything is written; of two redemptions of one link, the one
    whose insert commits first wins and the other is refused as used.
    """
    claim = check_link(token)
    contact = _current_contact(claim.contact_id)
    if contact is None:  # erased or left between the check and now
        raise LinkRefused("closed")
    ask_id = claim.ask_id
    if ask_id is not None and not Ask.objects.filter(pk=ask_id, contact=contact).exists():
        ask_id = None  # the ask is gone (or was never theirs): the portal opens all the same
    try:
        with transaction.atomic():
            RedeemedLink.objects.create(
                nonce=claim.nonce,
                contact=contact,
                ask_id=ask_id,
                issued_at=claim.issued_at,
                redeemed_at=now,
            )
    except IntegrityError:
        raise LinkRefused("used", contact.pk, claim.nonce) from None
    return Redemption(contact, ask_id, claim.nonce)


def request_fresh_link(refused: LinkRefused, *, now: datetime) -> Contact | None:
    """Tell the advocate's CSM that they asked for a fresh link; once per old link.

    The seam with the outbox: it picks up `link_requested` notices and sends a new link
    (`advocacy.messaging.links.link_url`); until it does, the CSM sees the request on their
    work queue and sends one by hand (the contact's page, `advocacy portal link`).
    """
    if not refused.renewable or refused.contact_id is None:
        return None
    contact = _current_contact(refused.contact_id)
    if contact is None:
        return None
    owner = contact.account.owner
    notify(
        [
            NoticeDraft(
                key=f"link_requested:{refused.nonce}",
                kind=NoticeKind.LINK_REQUESTED,
                contact_id=contact.pk,
                recipient_id=owner.pk if owner is not None else None,
                role="cs",
                text=(
                    f"{contact.full_name or contact.email} asked for a new portal link "
                    f"(theirs had {'expired' if refused.reason == 'expired' else 'been used'})."
                ),
            )
        ],
        now=now,
    )
    return contact
