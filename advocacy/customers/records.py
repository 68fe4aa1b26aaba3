"""Validated input for the customer write services: one frozen dataclass per record.

Every writer (CSV import, REST API, demo) turns its input into these records and calls
`advocacy.customers.services`. A record carries only what its source said: `None` or an empty
value means "not given", and an update never blanks a field the source did not send.

- `AccountRef` finds an account: by external id (source, id), else domain, else name (exact,
  case-insensitive, only when exactly one account has it).
- `ContactRef` finds a contact: by email, else external id.
- `RecordError` is a record refused by the database-side checks, with its index in the batch.
- `UpsertResult` is what a write did (or, with `dry_run=True`, would do).

Helpers `clean_email` and `clean_domain` normalise the two identity strings the same way
everywhere (lower-cased, stripped); both raise `ValueError` with a short reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

ExternalIds = tuple[tuple[str, str], ...]

# Pragmatic address check: one @, no spaces, a dotted domain of letters/digits/hyphens.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def clean_email(value: str) -> str:
    """Return the address lower-cased and stripped, or raise ValueError."""
    email = value.strip().lower()
    if not email:
        raise ValueError("email is empty")
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        raise ValueError("not a valid email address")
    return email


def clean_domain(value: str) -> str:
    """Return a bare host name (no scheme, path or www.), lower-cased, or raise ValueError."""
    domain = value.strip().lower()
    for prefix in ("https://", "http://"):
        if domain.startswith(prefix):
            domain = domain[len(prefix) :]
    domain = domain.split("/", 1)[0].rstrip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    if not domain:
        raise ValueError("domain is empty")
    if len(domain) > 255 or not _DOMAIN.match(domain):
        raise ValueError("not a valid domain name")
    return domain


@dataclass(frozen=True)
class AccountRef:
    """How a contact or signal names its account; the first part that is given and known wins."""

    domain: str | None = None
    external_id: tuple[str, str] | None = None  # (source, id)
    name: str | None = None

    def describe(self) -> str:
        parts = []
        if self.external_id:
            parts.append(f"{self.external_id[0]} id {self.external_id[1]}")
        if self.domain:
            parts.append(f"domain {self.domain}")
        if self.name:
            parts.append(f"name {self.name!r}")
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class ContactRef:
    email: str | None = None
    external_id: tuple[str, str] | None = None


@dataclass(frozen=True)
class AccountRecord:
    """One account as given by a source."""

    name: str
    domain: str | None = None
    external_ids: ExternalIds = ()
    industry: str = ""
    region: str = ""
    size_band: str = ""
    employees: int | None = None
    arr: Decimal | None = None
    products: tuple[str, ...] = ()
    use_cases: tuple[str, ...] = ()
    competitors_replaced: tuple[str, ...] = ()
    customer_since: date | None = None
    renewal_date: date | None = None
    nda: bool | None = None
    sensitive_industry: bool | None = None
    competitor_adjacent: bool | None = None
    churn_risk: bool | None = None

    def ref(self) -> AccountRef:
        return AccountRef(
            domain=self.domain,
            external_id=self.external_ids[0] if self.external_ids else None,
            name=self.name or None,
        )


@dataclass(frozen=True)
class ContactRecord:
    """One person at an account; `email` is already lower-cased and validated."""

    email: str
    account_ref: AccountRef
    external_ids: ExternalIds = ()
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    persona: str = ""
    phone: str = ""
    timezone: str = ""  # an IANA name, already validated (advocacy.core.zones)
    left_company_at: datetime | None = None
    opted_out_at: datetime | None = None


@dataclass(frozen=True)
class RecordError:
    """A record the database-side checks refused: `index` is its position in the batch."""

    index: int
    field: str
    expected: str
    found: str
    message: str


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    rejected: tuple[RecordError, ...] = ()

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.rejected + other.rejected,
        )
