"""The suppression list: people erased on request, kept only as keyed hashes, never re-imported.

    digest_email(email) -> str                     # HMAC-SHA256 of the normalised address
    digest_identity(source, external_id) -> str    # HMAC-SHA256 of one identity in a source
    suppress(emails, identities, *, now) -> int    # add them (idempotent); how many were new
    suppressed(emails) -> dict[str, datetime]      # the erased ones among `emails`, and when
    suppressed_identities(keys) -> dict[(source, id), datetime]
    refused(records) -> dict[int, RecordError]     # the contact records to refuse, by index
    suppress_mail(emails, *, now)                  # unsubscribed: never emailed again
    mail_suppressed(emails) -> {email: (why, at)}  # the ones never to email: unsubscribed, erased
    refusal(erased_at) -> str                      # "erased on request on 2026-06-01; ..."

The key is ADVOCACY_SUPPRESSION_KEY, else one derived from the secret key (so rotating the
secret key would then let erased people back in: docs/privacy.md). An unsubscribe is kept
the same way under its own prefix, so it never refuses an import (it is no erasure) and an
erased address is never mistaken for one. Every lookup is one query per chunk of keys; the
contact upsert calls `refused` once per batch, and the signal writers call `suppressed` for
the emails they found no contact for.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from advocacy.customers.models import Suppression, SuppressionKind
from advocacy.customers.records import ContactRecord, RecordError

IN_CHUNK = 900
EXPECTED = "a person who was not erased"
_DERIVATION = b"advocacy.customers.suppression"


def key() -> bytes:
    """The HMAC key: the setting, else one derived from the secret key."""
    given: str = getattr(settings, "SUPPRESSION_KEY", "")
    if given:
        return given.encode()
    return hmac.new(settings.SECRET_KEY.encode(), _DERIVATION, hashlib.sha256).digest()


def _digest(message: str, secret: bytes | None = None) -> str:
    return hmac.new(secret or key(), message.encode(), hashlib.sha256).hexdigest()


def digest_email(email: str, secret: bytes | None = None) -> str:
    """The keyed hash of an address, normalised as every writer stores it (stripped, lower)."""
    return _digest("email:" + email.strip().lower(), secret)


def digest_identity(source: str, external_id: str, secret: bytes | None = None) -> str:
    """The keyed hash of one (source, external id), exactly as the identity is stored."""
    return _digest(f"identity:{source}\x1f{external_id}", secret)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _erased(digests: Iterable[str]) -> dict[str, datetime]:
    """{digest: erased_at} for the stored ones among `digests`."""
    found: dict[str, datetime] = {}
    for batch in _chunks(list(digests)):
        rows = Suppression.objects.filter(digest__in=batch).values_list("digest", "erased_at")
        found.update(rows)
    return found


def suppressed(emails: Iterable[str]) -> dict[str, datetime]:
    """The erased addresses among `emails` (as given), with when they were erased."""
    secret = key()
    by_digest = {digest_email(email, secret): email for email in set(emails)}
    return {by_digest[d]: at for d, at in _erased(by_digest).items()}


def suppressed_identities(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
    """The erased identities among `keys` ((source, external id)), with when."""
    secret = key()
    by_digest = {digest_identity(s, e, secret): (s, e) for s, e in set(keys)}
    return {by_digest[d]: at for d, at in _erased(by_digest).items()}


def suppress(
    emails: Iterable[str], identities: Iterable[tuple[str, str]] = (), *, now: datetime
) -> list[Suppression]:
    """Put these people on the list (a second time changes nothing); return the rows given.

    Idempotent by the unique digest: the insert skips a digest already stored.
    """
    secret = key()
    rows = [
        Suppression(digest=digest_email(e, secret), kind=SuppressionKind.EMAIL, erased_at=now)
        for e in sorted(set(emails))
    ]
    kind = SuppressionKind.IDENTITY
    rows += [
        Suppression(digest=digest_identity(s, x, secret), kind=kind, erased_at=now)
        for s, x in sorted(set(identities))
    ]
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def refusal(erased_at: datetime) -> str:
    """Why a suppressed person is refused, with the day they were erased."""
    return f"erased on request on {timezone.localdate(erased_at):%Y-%m-%d}; not re-imported"


def refused(records: Sequence[ContactRecord]) -> dict[int, RecordError]:
    """The records naming an erased person (by email, else by an external id), by index.

    Two queries per chunk of 900 keys (emails, then identities) for the whole batch.
    """
    if not records:
        return {}
    emails = suppressed(r.email for r in records)
    ids = suppressed_identities(k for r in records for k in r.external_ids)
    out: dict[int, RecordError] = {}
    for i, record in enumerate(records):
        if record.email in emails:
            out[i] = RecordError(i, "email", EXPECTED, record.email, refusal(emails[record.email]))
            continue
        erased = next((k for k in record.external_ids if k in ids), None)
        if erased is not None:
            found = f"{erased[0]}:{erased[1]}"
            out[i] = RecordError(i, "external_ids", EXPECTED, found, refusal(ids[erased]))
    return out


def digest_mail(email: str, secret: bytes | None = None) -> str:
    """The keyed hash of an unsubscribed address: a prefix of its own, apart from erasures."""
    return _digest("mail:" + email.strip().lower(), secret)


def suppress_mail(emails: Iterable[str], *, now: datetime) -> list[Suppression]:
    """Never email these addresses again (a second time changes nothing)."""
    secret = key()
    rows = [
        Suppression(digest=digest_mail(e, secret), kind=SuppressionKind.MAIL, erased_at=now)
        for e in sorted(set(emails))
    ]
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def mail_suppressed(emails: Iterable[str]) -> dict[str, tuple[str, datetime]]:
    """The addresses among `emails` that must not be written to, each with why and since
    when: `unsubscribed`, or `erased` (on the list as erased on request). One query a chunk."""
    secret = key()
    wanted: dict[str, tuple[str, str]] = {}
    for email in set(emails):
        wanted[digest_mail(email, secret)] = (email, "unsubscribed")
        wanted[digest_email(email, secret)] = (email, "erased")
    found: dict[str, tuple[str, datetime]] = {}
    for digest, at in _erased(wanted).items():
        email, why = wanted[digest]
        if why == "erased" or email not in found:
            found[email] = (why, at)
    return found
