"""Referrals' operations: an advocate's code, submitting a referral, moving it; one place each.

Every interface (the public form, the portal, the web UI, the CLI, the API) calls these. Each
takes `actor` and `now`, and refuses bad input with a ReferralError saying why before anything
is written. The first referrer of a prospect wins by the database's unique constraints (never a
check before the insert); a prospect who is already a customer (a known contact's email, an
account's domain) is refused. A move is a conditional UPDATE against `MOVES`, recorded as an
event, and told to the hooks (the rewards ledger's bonuses) in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce

from advocacy.customers.models import Account, Contact
from advocacy.customers.records import clean_domain, clean_email
from advocacy.referrals.hooks import Moved, referrals_moved
from advocacy.referrals.models import (
    MOVES,
    Referral,
    ReferralCode,
    ReferralEvent,
    ReferralStatus,
    Via,
)

S = ReferralStatus
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by hand
CODE_LENGTH = 8
# Personal mailboxes name no company: a referral from one is unique by its email only.
PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "yandex.com",
    }
)


class ReferralError(ValueError):
    """Refused, with the reason; nothing was written (the ledger neither)."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    return text.strip().upper()[:20]


def codes_for(contact_ids: Sequence[int], *, now: datetime) -> dict[int, str]:
    """{contact id: code}, giving a code to each contact without one: one insert against the
    unique constraints, whatever the number (a clash of new codes is retried)."""
    ids = sorted(set(contact_ids))
    for _ in range(5):
        found = dict(
            ReferralCode.objects.filter(contact_id__in=ids).values_list("contact_id", "code")
        )
        missing = [c for c in ids if c not in found]
        if not missing:
            return found
        ReferralCode.objects.bulk_create(
            [ReferralCode(contact_id=c, code=new_code(), created_at=now) for c in missing],
            ignore_conflicts=True,
        )
    raise ReferralError("could not give every advocate a code; try again")


def code_for(contact: Contact, *, now: datetime) -> str:
    return codes_for([contact.pk], now=now)[contact.pk]


def advocate_by_code(code: str) -> Contact | None:
    found = ReferralCode.objects.select_related("contact").filter(code=normal_code(code)).first()
    return found.contact if found else None


@dataclass(frozen=True)
class Prospect:
    """The referred peer, as typed; `submit` normalises and checks it."""

    name: str
    email: str
    company: str
    website: str = ""  # the company's site or domain; default: the email's domain
    title: str = ""
    note: str = ""


def _clean(p: Prospect) -> dict[str, str]:
    # The customers' own normalising, so a prospect compares with contacts and accounts as
    # they are stored.
    try:
        email = clean_email(p.email)
    except ValueError:
        raise ReferralError(f"{p.email.strip() or 'the email'!r} is not an email address") from None
    name, company = p.name.strip(), p.company.strip()
    if not name:
        raise ReferralError("say who you are referring (their name)")
    if not company:
        raise ReferralError("say which company they are with")
    email_domain = email.rsplit("@", 1)[1]
    try:
        domain = clean_domain(p.website) if p.website.strip() else email_domain
    except ValueError:
        raise ReferralError(f"{p.website.strip()!r} is not a website or domain") from None
    if domain in PERSONAL_DOMAINS:
        domain = ""
    for limit, value, what in ((200, name, "name"), (200, company, "company")):
        if len(value) > limit:
            raise ReferralError(f"the {what} is longer than {limit} characters")
    return {
        "prospect_name": name,
        "prospect_email": email,
        "prospect_company": company,
        "prospect_domain": domain,
        "prospect_title": p.title.strip()[:200],
        "note": p.note.strip()[:2000],
        "email_domain": email_domain,
    }


def _refuse_customers(row: dict[str, str]) -> None:
    email = row["prospect_email"]
    if Contact.objects.filter(email=email).exists():
        raise ReferralError(f"{email} is already one of our customers' contacts: not a referral")
    domains = {row["prospect_domain"], row["email_domain"]} - {""} - PERSONAL_DOMAINS
    account = Account.objects.filter(domain__in=sorted(domains)).first()
    if account is not None:
        raise ReferralError(
            f"{row['prospect_company']} ({account.domain}) is already a customer "
            f"({account.name}): a referral is for a new customer"
        )


def submit(
    advocate: Contact,
    prospect: Prospect,
    *,
    via: str,
    actor: Any,
    now: datetime,
    by: str = "",
) -> Referral:
    """Record a referral by `advocate`; refused for a customer or a prospect referred before."""
    if via not in Via.values:
        raise ReferralError(f"unknown way in {via!r}")
    row = _clean(prospect)
    _refuse_customers(row)
    row.pop("email_domain")
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                advocate=advocate,
                status=S.SUBMITTED,
                via=via,
                submitted_at=now,
                submitted_by=actor,
                updated_at=now,
                **row,
            )
            ReferralEvent.objects.create(
                referral=referral,
                from_status="",
                to_status=S.SUBMITTED,
                actor=actor,
                by=_by(actor, by, via),
                at=now,
            )
    except IntegrityError:
        # The first referrer won (the unique constraints said so); say which way, after the fact.
        if Referral.objects.filter(prospect_email=row["prospect_email"]).exists():
            raise ReferralError(
                f"{row['prospect_email']} has already been referred: "
                "the first referral of a prospect is the one that counts"
            ) from None
        raise ReferralError(
            f"someone at {row['prospect_domain']} has already been referred: "
            "the first referral of a company is the one that counts"
        ) from None
    return referral


def _by(actor: Any, by: str, via: str) -> str:
    if actor is not None:
        return str(actor.get_username())[:100]
    return (by or {"form": "the public form", "portal": "the advocate (portal)"}.get(via, "—"))[
        :100
    ]


def move(
    referral: Referral,
    to: str,
    *,
    actor: Any,
    now: datetime,
    deal_cents: int | None = None,
    note: str = "",
    by: str = "",
) -> Referral:
    """Move a referral to `to` (a legal move only), recorded with who made it; the hooks (the
    bonuses) run in the same transaction."""
    if to not in S.values:
        raise ReferralError(f"unknown status {to!r} (one of: {', '.join(S.values)})")
    current = referral.status
    if to not in MOVES[current]:
        allowed = ", ".join(S(s).label.lower() for s in S.values if s in MOVES[current])
        raise ReferralError(
            f"referral {referral.pk} is {S(current).label.lower()}: it cannot move to "
            f"{S(to).label.lower()}" + (f" (it may go to {allowed})" if allowed else " (final)")
        )
    if deal_cents is not None and deal_cents < 0:
        raise ReferralError("a deal's amount cannot be negative")
    updates: dict[str, Any] = {"status": to, "updated_at": now}
    if deal_cents is not None:
        updates["deal_cents"] = deal_cents
    if to == S.QUALIFIED:
        updates["qualified_at"] = Coalesce("qualified_at", Value(now, output_field=DateTimeField()))
    if to in (S.CLOSED_WON, S.CLOSED_LOST):
        updates["closed_at"] = now
    with transaction.atomic():
        changed = Referral.objects.filter(pk=referral.pk, status=current).update(**updates)
        if changed != 1:
            raise ReferralError(f"referral {referral.pk} was moved by someone else; look again")
        ReferralEvent.objects.create(
            referral=referral,
            from_status=current,
            to_status=to,
            actor=actor,
            by=_by(actor, by, Via.STAFF),
            note=note.strip()[:500],
            at=now,
        )
        referral.refresh_from_db()
        referrals_moved(
            [Moved(referral.pk, referral.advocate_id, current, to, referral.deal_cents)],
            actor=actor,
            now=now,
        )
    return referral
