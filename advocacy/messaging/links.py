"""Magic links: how an advocate reaches the portal from a message, without a password.

A link carries a signed token: the contact, the ask it was sent about (if any), a random nonce
and the moment it was made. The signature (the project's secret key, its own salt) makes it
unforgeable; its age makes it expire (`ADVOCACY_PORTAL_LINK_DAYS`). That it is used once is for
the portal to hold: it records each nonce it redeems, and a second redemption finds it there.
Opening the link logs nobody in: mail scanners open links. The page it opens asks for a POST.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing

SALT = "advocacy.portal.link"
ENTER = "/portal/enter/"  # the portal's page for a link; the token follows, then a slash


class LinkError(Exception):
    """A link that opens nothing: `reason` is `expired` or `forged` (unreadable, or altered)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaim:
    contact_id: int
    ask_id: int | None
    nonce: str
    issued_at: datetime


def lifetime() -> timedelta:
    return timedelta(days=settings.PORTAL_LINK_DAYS)


def link_token(contact_id: int, *, ask_id: int | None = None) -> str:
    """A new token for the contact: each call gives a different one (its own nonce)."""
    payload = {"c": contact_id, "a": ask_id, "n": secrets.token_urlsafe(12)}
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


def link_path(contact_id: int, *, ask_id: int | None = None) -> str:
    return f"{ENTER}{link_token(contact_id, ask_id=ask_id)}/"


def link_url(contact_id: int, *, ask_id: int | None = None) -> str:
    """The absolute link, for a message: `ADVOCACY_SITE_URL` then the path."""
    return f"{settings.SITE_URL}{link_path(contact_id, ask_id=ask_id)}"


def read_link(token: str) -> LinkClaim:
    """What a token says, if it is genuine and not expired; LinkError otherwise."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=lifetime())
    except signing.SignatureExpired as exc:
        raise LinkError("expired", "this link has expired: ask for a new one") from exc
    except signing.BadSignature as exc:
        raise LinkError("forged", "this link is not one we sent") from exc
    try:
        _, stamp, _ = token.rsplit(signer.sep, 2)  # value:timestamp:signature, verified above
        issued = datetime.fromtimestamp(signing.b62_decode(stamp), tz=UTC)
        ask = payload["a"]
        return LinkClaim(
            contact_id=int(payload["c"]),
            ask_id=None if ask is None else int(ask),
            nonce=str(payload["n"]),
            issued_at=issued,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkError("forged", "this link is not one we sent") from exc
