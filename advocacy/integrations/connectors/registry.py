"""The connector interface and the registry of kinds.

A connector is one vendor's way in. Each lives in `vendors/<vendor>.py` and registers one
`Connector` subclass instance with `register`. Its contract:

- `kind` (MUST): a short lowercase name, the CLI's KIND; `label` (MUST): the vendor's name.
- `secret` (MUST): "required" when the vendor signs its requests (a request is refused without a
  good signature), "none" when it cannot sign (the url's token alone authenticates it).
- `options` (MAY): the `--option KEY=VALUE` it understands, each with what it does.
- `verify(request, secret, now)` (MUST, for signing vendors): raise `Refused` unless the
  request carries the vendor's valid signature (and, where the scheme has one, a fresh
  timestamp). It MUST compare in constant time and MUST NOT parse the body first.
- `event_id(request, data)` (MUST): the vendor's id of the event, the inbox's dedupe key; a
  retry of one event MUST give the same id. Raise `Malformed` when there is none.
- `map(data, connection)` (MUST): the signals the event carries, as `Mapped` records, and how
  many of its events it skips (not mapped on purpose). Raise `Malformed` with a reason the team
  can act on. It MUST NOT touch the database: `processing.py` records what it returns, set-based.

A CRM (`crm.CrmConnector`) adds a capability of its own beside `map`: it is synced from and
written back to, and takes no webhooks. Outgoing webhooks are not connectors of this interface.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from advocacy.customers.records import clean_email
from advocacy.signals.records import SignalRecord


class Refused(Exception):
    """Not signed by the vendor, or signed too long ago: 401, kept in the rejected log."""


class Malformed(Exception):
    """The body cannot be mapped: kept in the inbox with this reason."""


@dataclass(frozen=True)
class Received:
    """A request as the inbox keeps it. `url` is the address the vendor called, as
    ADVOCACY_SITE_URL names it (HubSpot signs it)."""

    method: str
    url: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class Mapped:
    """One signal to record, and the revision of the answer it carries, if the vendor revises
    answers (a higher revision rewrites the stored signal's value, text and payload)."""

    record: SignalRecord
    revision: float | None = None


@dataclass(frozen=True)
class Mapping_:
    signals: list[Mapped] = field(default_factory=list)
    skipped: int = 0


@dataclass(frozen=True)
class Option:
    name: str
    help: str
    default: str = ""


class Connector:
    kind: str = ""
    label: str = ""
    secret: str = "required"  # or "none"
    secret_help: str = ""
    options: tuple[Option, ...] = ()
    # The `source` of what it records (signals, identities) when not its kind: a CRM shares
    # its records' identities with the CSV exports of the same CRM (`hubspot`, `salesforce`).
    source: str = ""

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        raise NotImplementedError

    def check_secret(self, secret: str) -> None:
        """Raise ValueError, with what is expected, unless `secret` is of the right shape."""

    def event_id(self, request: Received, data: Any) -> str:
        raise NotImplementedError

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        raise NotImplementedError

    @property
    def signs(self) -> bool:
        return self.secret == "required"

    def option(self, options: Mapping[str, str], name: str) -> str:
        for option in self.options:
            if option.name == name:
                return str(options.get(name, option.default))
        raise KeyError(name)


KINDS: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    KINDS[connector.kind] = connector
    return connector


def get(kind: str) -> Connector:
    try:
        return KINDS[kind]
    except KeyError:
        raise LookupError(
            f"no connector of kind {kind!r}; one of {', '.join(sorted(KINDS))}"
        ) from None


# Helpers the vendors share.


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def same(a: str | bytes, b: str | bytes) -> bool:
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def body_digest(body: bytes) -> str:
    """An event id for vendors that give none: the same body is the same event."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def from_unix(value: Any, *, millis: bool = False) -> datetime:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Malformed(f"not a time: {value!r}") from None
    return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)


def from_iso(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Malformed(f"not a time: {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"not a time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def score(value: Any, *, where: str) -> int:
    """An NPS answer given as a number or numeric text: a whole number (checked 0-10 later by
    the signal checks, which give the team the reason)."""
    if isinstance(value, bool):
        raise Malformed(f"{where}: a boolean is not a score")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise Malformed(f"{where}: not a whole-number score: {value!r}")


def email_of(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return clean_email(value)
    except ValueError:
        return None
