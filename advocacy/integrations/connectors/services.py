"""Connections configured, shown, removed; their inbox listed and replayed.

    add_connection(kind, name, secret=..., options=..., actor, now) -> (Connection, url)
    list_connections() -> list[ConnectionView]
    get_connection(name) -> ConnectionView
    remove_connection(name, actor, now) -> bool
    inbox(name=None, status=None, limit=...) -> QuerySet[InboxRequest]
    rejected(name=None, limit=...) -> QuerySet[RejectedRequest]
    replay(ids=None, name=None, status=None, now) -> Outcome

The url carries a token of 256 random bits, shown once at creation (only its hash is stored,
like an API key's), so even a vendor that cannot sign its requests is authenticated by it.
The vendor's secret is stored encrypted and never shown again (`vault`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse

from advocacy.integrations.connectors import registry, vault
from advocacy.integrations.connectors.crm import crm_kinds, sync_status
from advocacy.integrations.connectors.ingest import token_hash
from advocacy.integrations.connectors.models import (
    Connection,
    InboxRequest,
    InboxStatus,
    RejectedRequest,
)
from advocacy.integrations.connectors.processing import Outcome, process

NAME_LENGTH = 100
REPLAY_BATCH = 500


class ConnectorError(ValueError):
    """A request the team can correct: the message says how."""


class NoSuchConnection(ConnectorError):
    """No connection by that name."""


@dataclass(frozen=True)
class ConnectionView:
    """What may be shown about a connection: never its secret or its token."""

    id: int
    kind: str
    label: str
    name: str
    source: str
    url_hint: str
    has_secret: bool
    options: dict[str, str]
    created_at: datetime
    removed_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    last_received_at: datetime | None = None
    syncs: bool = False  # a CRM: synced from, not posted to
    sync: dict[str, Any] | None = None  # its last sync run and its cursors

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "name": self.name,
            "source": self.source,
            "url": self.url_hint,
            "has_secret": self.has_secret,
            "options": self.options,
            "created_at": self.created_at.isoformat(),
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "inbox": self.counts,
            "last_received_at": self.last_received_at.isoformat()
            if self.last_received_at
            else None,
            "syncs": self.syncs,
            "sync": _plain(self.sync) if self.sync is not None else None,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def url_for(token: str) -> str:
    return settings.SITE_URL + reverse("connectors:receive", args=[token])


def _view(
    c: Connection,
    counts: Mapping[str, Any] | None = None,
    syncs: Mapping[int, dict[str, Any]] | None = None,
) -> ConnectionView:
    connector = registry.KINDS.get(c.kind)
    crm = bool(getattr(connector, "crm", False))
    counts = counts or {}
    return ConnectionView(
        id=c.pk,
        kind=c.kind,
        label=connector.label if connector else c.kind,
        name=c.name,
        source=c.source,
        url_hint=url_for("T").removesuffix("T/") + c.token_prefix + "…/",
        has_secret=bool(c.secret_encrypted),
        options=dict(c.options),
        created_at=c.created_at,
        removed_at=c.removed_at,
        counts={s: int(counts.get(s) or 0) for s in InboxStatus.values}
        | {"rejected": int(counts.get("rejected") or 0)},
        last_received_at=counts.get("last"),
        syncs=crm,
        sync=(syncs or {}).get(c.pk, NEVER_SYNCED) if crm else None,
    )


NEVER_SYNCED: dict[str, Any] = {"state": None, "started_at": None, "finished_at": None,
                                "pages": 0, "error": "", "counts": {}, "cursors": {},
                                "write_backs": {}}  # fmt: skip


def parse_options(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings as a dict (the CLI's --option)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConnectorError(f"--option takes KEY=VALUE, not {pair!r}")
        out[key.strip()] = value.strip()
    return out


def add_connection(
    kind: str,
    name: str,
    *,
    secret: str = "",
    options: Mapping[str, str] | None = None,
    actor: Any,
    now: datetime,
) -> tuple[Connection, str]:
    """Create a connection; return it and its url, which holds the token shown only now."""
    try:
        connector = registry.get(kind)
    except LookupError as exc:
        raise ConnectorError(str(exc)) from exc
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise ConnectorError(f"a name of 1 to {NAME_LENGTH} characters is required")
    secret = secret.strip()
    if connector.signs and not secret:
        raise ConnectorError(
            f"{connector.label} signs its requests: --secret is required ({connector.secret_help})"
        )
    if not connector.signs and secret:
        raise ConnectorError(
            f"{connector.label} does not sign its requests: the url's token authenticates "
            "them, and no secret is taken"
        )
    try:
        connector.check_secret(secret)
    except ValueError as exc:
        raise ConnectorError(f"{connector.label}: {exc} ({connector.secret_help})") from None
    known = {o.name for o in connector.options}
    given = dict(options or {})
    unknown = sorted(set(given) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ConnectorError(
            f"{connector.label} has no option {', '.join(unknown)} (options: {allowed})"
        )
    token = secrets.token_urlsafe(32)
    source = connector.source or connector.kind
    if connector.kind == "webhook":
        source = f"webhook:{name}"[:50]
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                kind=connector.kind,
                name=name,
                source=source,
                token_hash=token_hash(token),
                token_prefix=token[:8],
                secret_encrypted=vault.seal(secret),
                options=given,
                created_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ConnectorError(f"a connection named {name!r} exists already") from None
    return connection, url_for(token)


def _counts() -> dict[int, dict[str, Any]]:
    rows = InboxRequest.objects.values("connection_id").annotate(
        last=Max("received_at"),
        **{s: Count("id", filter=Q(status=s)) for s in InboxStatus.values},
    )
    out: dict[int, dict[str, Any]] = {r["connection_id"]: dict(r) for r in rows}
    for r in RejectedRequest.objects.values("connection_id").annotate(n=Count("id")):
        out.setdefault(r["connection_id"], {})["rejected"] = r["n"]
    return out


def list_connections(*, include_removed: bool = False) -> list[ConnectionView]:
    """Every connection with its inbox counts and its last sync: five queries."""
    found = Connection.objects.all()
    if not include_removed:
        found = found.filter(removed_at__isnull=True)
    counts = _counts()
    connections = list(found)
    syncs = sync_status([c.pk for c in connections if c.kind in crm_kinds()])
    return [_view(c, counts.get(c.pk), syncs) for c in connections]


def _connection(name: str) -> Connection:
    connection = Connection.objects.filter(name=name.strip()).first()
    if connection is None:
        raise NoSuchConnection(f"no connection named {name!r} (see `advocacy connectors list`)")
    return connection


def get_connection(name: str) -> ConnectionView:
    connection = _connection(name)
    return _view(connection, _counts().get(connection.pk), sync_status([connection.pk]))


def remove_connection(name: str, *, actor: Any, now: datetime) -> bool:
    """Stop the connection's url answering; its inbox stays. False if already removed. Its name
    is freed (suffixed with the day) so that a new connection may take it."""
    connection = _connection(name)
    if connection.removed_at is not None:
        return False
    suffix = f" (removed {now:%Y-%m-%d %H:%M:%S})"
    Connection.objects.filter(pk=connection.pk, removed_at__isnull=True).update(
        removed_at=now, name=connection.name[: NAME_LENGTH - len(suffix)] + suffix
    )
    return True


def inbox(
    *, name: str | None = None, status: str | None = None, limit: int = 100
) -> QuerySet[InboxRequest]:
    found = InboxRequest.objects.select_related("connection")
    if name:
        found = found.filter(connection=_connection(name))
    if status:
        if status not in InboxStatus.values:
            raise ConnectorError(f"status is one of {', '.join(InboxStatus.values)}")
        found = found.filter(status=status)
    return found[:limit]


def rejected(*, name: str | None = None, limit: int = 100) -> QuerySet[RejectedRequest]:
    found = RejectedRequest.objects.select_related("connection")
    if name:
        found = found.filter(connection=_connection(name))
    return found[:limit]


def replay(
    *,
    now: datetime,
    ids: list[int] | None = None,
    name: str | None = None,
    status: str | None = None,
) -> Outcome:
    """Map stored requests again: those of `ids`, or of a connection (by `status`), in batches.
    What is stored already is unchanged; only what was missing is created."""
    found = InboxRequest.objects.all()
    if ids is not None:
        found = found.filter(pk__in=ids)
    if name:
        found = found.filter(connection=_connection(name))
    if status:
        if status not in InboxStatus.values:
            raise ConnectorError(f"status is one of {', '.join(InboxStatus.values)}")
        found = found.filter(status=status)
    chosen = list(found.order_by("pk").values_list("pk", flat=True))
    if ids is not None and not chosen:
        raise ConnectorError("no stored request with these ids")
    total = Outcome()
    for start in range(0, len(chosen), REPLAY_BATCH):
        total.add(process(chosen[start : start + REPLAY_BATCH], now=now))
    return total
