"""CRM sync: accounts, contacts, deals and the contacts' parts in them, pulled from a CRM.

    sync(name, now=..., progress=None, sleep=time.sleep, job=None) -> SyncRun

A CRM connector (`CrmConnector`, one module per vendor in `vendors/`) says how to read its
objects page by page from a position (the CRM's modification time and id of the last record
written), and turns each page into the customer records that `advocacy.customers` writes. This
module does the rest, the same for every CRM:

- **The transport** (`Session`): JSON over HTTP with the connection's access token. A 429 is
  waited out as its `Retry-After` says (seconds or a date; else 1, 2, 4 ... seconds), at most
  MAX_RETRIES times in a row and MAX_WAIT at once; a 401 renews the access token once with the
  refresh token (`CrmConnector.renew`) and sends the request again. The renewed token is kept
  sealed on the connection (`access_encrypted`). Anything else that is not 2xx stops the run.
- **The cursor** (`SyncCursor`, per connection and object): a page is written in one
  transaction with the cursor moved to its last record. A run that stops (a 500 after page 1,
  a lost worker) leaves the pages written before it, and the next run starts from there. A
  record read again is upserted by its CRM id (its identity of the connection's source), so it
  is updated in place, never duplicated.
- **The run** (`SyncRun`): one at a time per connection (a database constraint), its counts
  per object as the pages commit, and why it stopped.

Writing back (the activity of a reference call on its opportunity, a referral as a lead, the
advocate flag) is `writeback.py`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery

from advocacy.customers.deals import (
    DealContactRecord,
    DealRecord,
    link_deal_contacts,
    upsert_deals,
)
from advocacy.customers.records import AccountRecord, ContactRecord, RecordError, UpsertResult
from advocacy.customers.services import upsert_accounts, upsert_contacts
from advocacy.integrations.connectors import registry, vault
from advocacy.integrations.connectors.models import (
    Connection,
    SyncCursor,
    SyncRun,
    SyncState,
    WriteBack,
    WriteBackStatus,
)
from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Option,
    Received,
    Refused,
)

MAX_RETRIES = 5  # 429s in a row waited out for one request
MAX_WAIT = 120.0  # seconds: a longer Retry-After stops the run (the next one goes on)
TIMEOUT = 30.0
STALE_RUN = timedelta(hours=6)  # a run "running" this long was left by a dead worker
REJECTIONS_KEPT = 20
ERROR_LENGTH = 2000


WRITE_BACK = Option(
    "write_back",
    "what is written back to the CRM: activity, lead, advocate, comma-separated; none if empty",
    "activity,lead,advocate",
)


class CrmError(Exception):
    """The CRM refused, failed or could not be reached: the run stops, its cursor holds."""


class NoSuchCrm(CrmError):
    """No connection in use by that name."""


@dataclass(frozen=True)
class Position:
    """Where a sync of one object stands: the last record written, by modification and id."""

    modified_at: datetime | None = None
    id: str = ""

    def not_before(self, other: Position) -> bool:
        """Whether this is as late as `other` or later (by time: the CRM orders the ids)."""
        if other.modified_at is None:
            return self.modified_at is not None
        return self.modified_at is not None and self.modified_at >= other.modified_at


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    total: int | None = None  # how many the query matches, when the CRM says


@dataclass
class Batch:
    """What one page writes, and the position of its last record."""

    last: Position
    accounts: list[AccountRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    deals: list[DealRecord] = field(default_factory=list)
    links: list[DealContactRecord] = field(default_factory=list)
    links_in_full: list[tuple[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # the CRM ids, in the order of the records
    skipped: int = 0  # records not written on purpose (a contact without an email)


class CrmConnector(Connector):
    """A CRM: synced from, written back to. It takes no webhooks (its url refuses them).

    - `objects` (MUST): the objects it syncs, in order (accounts before the contacts that
      name them, contacts before the deals' links to them).
    - `check_secret(secret)` (MUST): raise ValueError unless the secret is what it needs.
    - `start(session)` (MUST): the access state to use when none is kept (a private app's
      token as it is; an OAuth app's: renewed from the refresh token).
    - `renew(session)` (MAY): a new access state from the refresh token, or None when the
      credentials cannot be renewed (a 401 then stops the run).
    - `pages(session, object, position)` (MUST): the object's records changed at or after
      `position`, oldest change first, page by page.
    - `batch(object, records, source, options)` (MUST): what a page writes (no database).
    - `push(session, item)` (MAY): send one write-back; return the CRM's id of what it made.
    """

    objects: tuple[str, ...] = ()
    crm = True

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        raise Refused(f"a {self.label} connection is synced from the CRM and takes no webhooks")

    def event_id(self, request: Received, data: Any) -> str:
        raise Malformed("a CRM connection takes no webhooks")

    def check_secret(self, secret: str) -> None:
        raise NotImplementedError

    def start(self, session: Session) -> dict[str, str]:
        raise NotImplementedError

    def renew(self, session: Session) -> dict[str, str] | None:
        return None

    def pages(self, session: Session, obj: str, position: Position) -> Iterator[Page]:
        raise NotImplementedError

    def batch(
        self, obj: str, records: list[dict[str, Any]], *, source: str, options: Mapping[str, str]
    ) -> Batch:
        raise NotImplementedError

    def push(self, session: Session, item: WriteBack) -> str:
        raise CrmError(f"{self.label} takes no write-back of kind {item.kind}")


def credentials(secret: str) -> dict[str, str]:
    """A CRM secret: a JSON object of strings, or one token (`{"access_token": secret}`)."""
    text = secret.strip()
    if not text.startswith("{"):
        return {"access_token": text}
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("the secret starts with { but is not JSON") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError("the secret must be a JSON object of strings")
    return data


def retry_after(headers: Mapping[str, str], attempt: int, *, now: datetime) -> float:
    """Seconds to wait before the next try: the header's (seconds or an HTTP date), else
    1, 2, 4 ... by the attempt."""
    value = headers.get("retry-after", "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return max(0.0, (moment - now).total_seconds())
    return float(2**attempt)


class Session:
    """One run's way to the CRM: the access state, the waits and renewals it made."""

    def __init__(
        self,
        connection: Connection,
        connector: CrmConnector,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection = connection
        self.connector = connector
        self.secret = credentials(vault.unseal(connection.secret_encrypted))
        self.options = dict(connection.options)
        self.sleep = sleep
        self.retries = 0
        self.renewals = 0
        kept = vault.unseal(connection.access_encrypted) if connection.access_encrypted else ""
        self.access: dict[str, str] = json.loads(kept) if kept else {}

    def option(self, name: str) -> str:
        return self.connector.option(self.options, name)

    def ensure_access(self) -> None:
        if not self.access.get("access_token"):
            self._keep(self.connector.start(self))

    def _keep(self, access: dict[str, str]) -> None:
        self.access = access
        fields: dict[str, Any] = {"access_encrypted": vault.seal(json.dumps(access))}
        rotated = access.get("refresh_token")
        if rotated and rotated != self.secret.get("refresh_token"):
            self.secret["refresh_token"] = rotated
            fields["secret_encrypted"] = vault.seal(json.dumps(self.secret))
        Connection.objects.filter(pk=self.connection.pk).update(**fields)

    def call(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        form: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send one request; the JSON answer. 429: wait and again; 401: renew once, again."""
        if auth:
            self.ensure_access()
        renewed = False
        attempt = 0
        while True:
            status, headers, raw = self._send(method, url, body=body, form=form, auth=auth)
            if status == 429 and attempt < MAX_RETRIES:
                wait = retry_after(headers, attempt, now=datetime.now(UTC))
                if wait > MAX_WAIT:
                    raise CrmError(
                        f"{self.connector.label} asks to wait {wait:.0f} s (rate limit): the "
                        "next sync goes on from here"
                    )
                self.sleep(wait)
                self.retries += 1
                attempt += 1
                continue
            if status == 401 and auth and not renewed:
                access = self.connector.renew(self)
                if access is not None:
                    self._keep(access)
                    self.renewals += 1
                    renewed = True
                    continue
            if not 200 <= status < 300:
                raise CrmError(
                    f"{self.connector.label} answered {status} to {method} "
                    f"{urllib.parse.urlsplit(url).path}: {_reason(raw)}"
                )
            if not raw:
                return {}
            try:
                return json.loads(raw)
            except ValueError:
                raise CrmError(f"{self.connector.label} answered something not JSON") from None

    def _send(
        self, method: str, url: str, *, body: Any, form: Mapping[str, str] | None, auth: bool
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.access['access_token']}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return answer.status, _lower(answer.headers), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, _lower(exc.headers), exc.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CrmError(f"{self.connector.label} could not be reached: {exc}") from None


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def _reason(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300] or "no reason given"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        for key in ("message", "error_description", "error"):
            if data.get(key):
                return str(data[key])[:300]
    return text[:300]


# The run.


def _connector(connection: Connection) -> CrmConnector:
    connector = registry.KINDS.get(connection.kind)
    if not isinstance(connector, CrmConnector):
        raise CrmError(f"{connection.name!r} is not a CRM connection: it has nothing to sync")
    return connector


def _begin(connection: Connection, *, now: datetime, job_id: int | None) -> SyncRun:
    SyncRun.objects.filter(
        connection=connection, state=SyncState.RUNNING, started_at__lt=now - STALE_RUN
    ).update(state=SyncState.FAILED, finished_at=now, error="left running by a stopped worker")
    try:
        with transaction.atomic():
            return SyncRun.objects.create(connection=connection, started_at=now, job_id=job_id)
    except IntegrityError:
        running = SyncRun.objects.filter(connection=connection, state=SyncState.RUNNING).first()
        since = f" since {running.started_at:%Y-%m-%d %H:%M} UTC" if running else ""
        raise CrmError(f"a sync of {connection.name!r} is running already{since}") from None


def _count(into: dict[str, int], result: UpsertResult) -> None:
    into["created"] = into.get("created", 0) + result.created
    into["updated"] = into.get("updated", 0) + result.updated
    into["unchanged"] = into.get("unchanged", 0) + result.unchanged
    into["rejected"] = into.get("rejected", 0) + len(result.rejected)


def _why(obj: str, ids: list[str], errors: tuple[RecordError, ...]) -> list[str]:
    return [
        f"{obj} {ids[e.index] if e.index < len(ids) else '?'}: {e.message} ({e.found})"
        for e in errors
    ]


def _write(
    obj: str, batch: Batch, *, fetched: int, now: datetime
) -> tuple[dict[str, dict[str, int]], list[str]]:
    counts: dict[str, dict[str, int]] = {obj: {"fetched": fetched, "skipped": batch.skipped}}
    why: list[str] = []
    for records, upsert in (
        (batch.accounts, lambda r: upsert_accounts(r, actor=None, now=now)),
        (batch.contacts, lambda r: upsert_contacts(r, actor=None, now=now)),
        (batch.deals, lambda r: upsert_deals(r, now=now)),
    ):
        if records:
            result = upsert(records)
            _count(counts[obj], result)
            why += _why(obj, batch.ids, result.rejected)
    if batch.links or batch.links_in_full:
        result = link_deal_contacts(batch.links, now=now, in_full=batch.links_in_full)
        alone = not (batch.accounts or batch.contacts or batch.deals)
        _count(counts.setdefault(obj if alone else "deal contacts", {}), result)
        links = [f"{link.deal[1]}→{link.contact[1]}" for link in batch.links]
        why += _why("deal contact", links, result.rejected)
    return counts, why


def _merge(total: dict[str, Any], counts: dict[str, dict[str, int]]) -> None:
    for obj, numbers in counts.items():
        into = total.setdefault(obj, {})
        for key, value in numbers.items():
            into[key] = into.get(key, 0) + value


def crm_connection(name: str) -> Connection:
    """The CRM connection of this name, in use; CrmError otherwise."""
    connection = Connection.objects.filter(name=name.strip(), removed_at__isnull=True).first()
    if connection is None:
        raise NoSuchCrm(f"no connection named {name!r} (see `advocacy connectors list`)")
    _connector(connection)
    return connection


def crm_kinds() -> list[str]:
    return sorted(k for k, c in registry.KINDS.items() if isinstance(c, CrmConnector))


def sync(
    name: str,
    *,
    now: Callable[[], datetime],
    progress: Callable[[int, int | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    job_id: int | None = None,
) -> SyncRun:
    """Sync one CRM connection from its cursors; the run, done or failed (with `error`)."""
    connection = crm_connection(name)
    connector = _connector(connection)
    run = _begin(connection, now=now(), job_id=job_id)
    counts: dict[str, Any] = {}
    rejections: list[str] = []
    done, expected = 0, 0
    session: Session | None = None
    try:
        session = Session(connection, connector, sleep=sleep)
        for obj in connector.objects:
            cursor, _ = SyncCursor.objects.get_or_create(
                connection=connection, object=obj, defaults={"updated_at": now()}
            )
            position = Position(cursor.modified_at, cursor.last_id)
            counted = False
            for page in connector.pages(session, obj, position):
                if page.total is not None and not counted:
                    expected += page.total
                    counted = True
                if not page.records:
                    continue
                batch = connector.batch(
                    obj, page.records, source=connection.source, options=connection.options
                )
                moment = now()
                with transaction.atomic():
                    written, why = _write(obj, batch, fetched=len(page.records), now=moment)
                    if batch.last.not_before(position):
                        position = batch.last
                    SyncCursor.objects.filter(pk=cursor.pk).update(
                        modified_at=position.modified_at,
                        last_id=position.id,
                        synced=F("synced") + len(page.records),
                        updated_at=moment,
                    )
                    _merge(counts, written)
                    rejections = (rejections + why)[:REJECTIONS_KEPT]
                    done += len(page.records)
                    SyncRun.objects.filter(pk=run.pk).update(
                        counts=counts | {"rejections": rejections},
                        pages=F("pages") + 1,
                        retries=_retries(session),
                    )
                    if progress is not None:
                        progress(done, max(expected, done))
    except (CrmError, Malformed, ValueError, vault.SecretUnreadable) as exc:
        SyncRun.objects.filter(pk=run.pk).update(
            state=SyncState.FAILED,
            finished_at=now(),
            error=str(exc)[:ERROR_LENGTH],
            retries=_retries(session),
        )
    except BaseException:
        SyncRun.objects.filter(pk=run.pk).update(
            state=SyncState.FAILED, finished_at=now(), error="stopped by an error",
            retries=_retries(session),
        )  # fmt: skip
        raise
    else:
        SyncRun.objects.filter(pk=run.pk).update(
            state=SyncState.DONE, finished_at=now(), retries=_retries(session)
        )
    run.refresh_from_db()
    return run


def _in_order(run: SyncRun) -> dict[str, Any]:
    """The run's counts in the order the objects sync (PostgreSQL's jsonb keeps no order)."""
    connector = registry.KINDS.get(run.connection.kind)
    order = [*getattr(connector, "objects", ()), "deal contacts"]
    found = {k: v for k, v in run.counts.items() if k != "rejections"}
    rank = {k: i for i, k in enumerate(order)}
    return {k: found[k] for k in sorted(found, key=lambda k: (rank.get(k, len(rank)), k))}


def _retries(session: Session | None) -> int:
    return session.retries + session.renewals if session is not None else 0


def run_summary(run: SyncRun) -> dict[str, Any]:
    cursors = {
        c.object: {
            "modified_at": c.modified_at.isoformat() if c.modified_at else None,
            "last_id": c.last_id,
            "synced": c.synced,
        }
        for c in SyncCursor.objects.filter(connection_id=run.connection_id)
    }
    return {
        "id": run.pk,
        "connection": run.connection.name,
        "state": run.state,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "pages": run.pages,
        "retries": run.retries,
        "counts": _in_order(run),
        "rejections": list(run.counts.get("rejections", [])),
        "error": run.error,
        "cursors": cursors,
    }


def sync_status(connection_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each CRM connection's last run and its cursors, for the lists: two queries."""
    latest = SyncRun.objects.filter(connection_id=OuterRef("connection_id")).order_by(
        "-started_at", "-id"
    )
    runs = SyncRun.objects.filter(
        connection_id__in=connection_ids, pk=Subquery(latest.values("pk")[:1])
    ).select_related("connection")
    out: dict[int, dict[str, Any]] = {}
    for run in runs:
        out[run.connection_id] = {
            "state": run.state,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "pages": run.pages,
            "error": run.error,
            "counts": _in_order(run),
            "cursors": {},
        }

    def entry(cid: int) -> dict[str, Any]:
        blank: dict[str, Any] = {"state": None, "started_at": None, "finished_at": None, "pages": 0,
                 "error": "", "counts": {}, "cursors": {}}  # fmt: skip
        return out.setdefault(cid, blank)

    for c in SyncCursor.objects.filter(connection_id__in=connection_ids):
        entry(c.connection_id)["cursors"][c.object] = c.modified_at
    for cid in connection_ids:
        entry(cid)["write_backs"] = dict.fromkeys(WriteBackStatus.values, 0)
    for cid, status, n in (
        WriteBack.objects.filter(connection_id__in=connection_ids)
        .values_list("connection_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[cid]["write_backs"][status] = n
    return out
