"""Map stored requests to signals: the worker's half of the way in, and the replay.

    process(inbox_ids, now=...) -> Outcome

For a batch of inbox rows, in a constant number of queries whatever its size:

1. Each body is decoded and handed to its connector's `map`, which returns signal records
   (`Mapped`) or raises `Malformed`: that row fails with the reason, the others go on.
2. A contact is matched by email, else by the vendor's person id (a contact identity of the
   connection's kind): a record whose email is unknown but whose person id is known is sent
   by the id (one read for the emails).
3. Every record of the batch goes through `advocacy.signals.services.record_signals`, the
   service CSV imports and the API use: checked the same way, inserted once per
   (source, key). A refused record fails its row, with the service's reason.
4. Answers that vendors revise (a comment added after the score, a changed score) carry a
   revision: a stored answer whose revision is lower is rewritten (value, text, payload) and
   no second signal is added. One read of the revisions, one bulk update.
5. The rows' outcomes are written in one bulk update.

Replaying a row runs it again: what is stored is unchanged (0 new), a row that failed because
its contact was missing succeeds once the contact is imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from advocacy.customers.services import in_chunks
from advocacy.integrations.connectors import registry
from advocacy.integrations.connectors.models import (
    AnswerRevision,
    InboxDrain,
    InboxRequest,
    InboxStatus,
)
from advocacy.integrations.connectors.registry import Malformed, Mapped
from advocacy.signals.models import Signal
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import existing_signal_keys, record_signals, resolve_contacts

ERROR_LENGTH = 2000
DRAIN_BATCH = 500


@dataclass
class Outcome:
    requests: int = 0
    processed: int = 0
    failed: int = 0
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: Outcome) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


@dataclass
class _Row:
    inbox: InboxRequest
    mapped: list[Mapped]
    errors: list[str]
    skipped: int = 0
    created: int = 0
    revised: int = 0
    unchanged: int = 0


def _map(inbox: InboxRequest) -> _Row:
    connection = inbox.connection
    try:
        data: Any = json.loads(bytes(inbox.body))
    except ValueError:
        return _Row(inbox, [], ["the body is not JSON"])
    try:
        connector = registry.get(connection.kind)
        mapping = connector.map(data, source=connection.source, options=connection.options)
    except (Malformed, LookupError) as exc:
        return _Row(inbox, [], [str(exc)])
    return _Row(inbox, list(mapping.signals), [], skipped=mapping.skipped)


def _by_known_id(rows: list[_Row]) -> None:
    """Send by the person id the records whose email is not a known contact's."""
    emails = {
        m.record.contact_email
        for row in rows
        for m in row.mapped
        if m.record.contact_email and m.record.contact_external_id
    }
    if not emails:
        return
    known = resolve_contacts(emails)
    for row in rows:
        row.mapped = [
            Mapped(_without_email(m.record), m.revision)
            if m.record.contact_email
            and m.record.contact_external_id
            and m.record.contact_email not in known
            else m
            for m in row.mapped
        ]


def _without_email(record: SignalRecord) -> SignalRecord:
    return SignalRecord(
        source=record.source,
        key=record.key,
        kind=record.kind,
        occurred_at=record.occurred_at,
        contact_external_id=record.contact_external_id,
        account_ref=record.account_ref,
        value=record.value,
        text=record.text,
        payload=record.payload,
    )


def _revise(revisable: list[tuple[_Row, Mapped]], created: set[tuple[str, str]]) -> None:
    """Rewrite the stored answers whose new revision is higher; record every revision seen."""
    if not revisable:
        return
    pairs = {(m.record.source, m.record.key) for _, m in revisable}
    stored: dict[tuple[str, str], float] = {}
    signals: dict[tuple[str, str], Signal] = {}
    for batch in in_chunks(pairs):
        for source, key, revision in AnswerRevision.objects.filter(
            source__in={s for s, _ in batch}, key__in={k for _, k in batch}
        ).values_list("source", "key", "revision"):
            stored[(source, key)] = revision
        for signal in Signal.objects.filter(
            source__in={s for s, _ in batch}, key__in={k for _, k in batch}
        ).only("id", "source", "key", "value", "text", "payload"):
            signals[(signal.source, signal.key)] = signal
    latest: dict[tuple[str, str], tuple[float, _Row, Mapped]] = {}
    for row, m in revisable:
        pair = (m.record.source, m.record.key)
        assert m.revision is not None
        if pair not in latest or m.revision > latest[pair][0]:
            latest[pair] = (m.revision, row, m)
    changed: list[Signal] = []
    seen: list[AnswerRevision] = []
    for pair, (revision, row, m) in latest.items():
        if pair in stored and revision <= stored[pair]:
            continue
        seen.append(AnswerRevision(source=pair[0], key=pair[1], revision=revision))
        found = signals.get(pair)
        if found is None or pair in created:
            continue
        signal = found
        signal.value, signal.text = m.record.value, m.record.text
        signal.payload = dict(m.record.payload)
        changed.append(signal)
        row.revised += 1
        row.unchanged = max(0, row.unchanged - 1)
    if changed:
        Signal.objects.bulk_update(changed, ["value", "text", "payload"])
    if seen:
        AnswerRevision.objects.bulk_create(
            seen,
            update_conflicts=True,
            unique_fields=["source", "key"],
            update_fields=["revision"],
        )


def process(inbox_ids: Sequence[int], *, now: datetime, pending_only: bool = False) -> Outcome:
    """Map the inbox rows to signals and record what came of each; see the module docstring.

    `pending_only` (the drain): rows another drain mapped while this one waited for their lock
    are left alone."""
    outcome = Outcome()
    with transaction.atomic():
        chosen = InboxRequest.objects.filter(pk__in=list(inbox_ids))
        if pending_only:
            chosen = chosen.filter(status=InboxStatus.PENDING)
        inbox = list(
            chosen.select_related("connection").select_for_update().order_by("received_at", "pk")
        )
        if not inbox:
            return outcome
        rows = [_map(r) for r in inbox]
        _by_known_id(rows)
        flat: list[tuple[_Row, Mapped]] = [(row, m) for row in rows for m in row.mapped]
        before = existing_signal_keys((m.record.source, m.record.key) for _, m in flat)
        result = record_signals([m.record for _, m in flat], actor=None, now=now)
        for error in result.rejected:
            row, _ = flat[error.index]
            row.errors.append(f"{error.field}: {error.message} ({error.found})")
        refused = {e.index for e in result.rejected}
        created: set[tuple[str, str]] = set()
        for i, (row, m) in enumerate(flat):
            if i in refused:
                continue
            pair = (m.record.source, m.record.key)
            if pair in before or pair in created:
                row.unchanged += 1
            else:
                created.add(pair)
                row.created += 1
        _revise([(row, m) for i, (row, m) in enumerate(flat) if m.revision is not None
                 and i not in refused], created)  # fmt: skip
        for row in rows:
            r = row.inbox
            r.status = InboxStatus.FAILED if row.errors else InboxStatus.PROCESSED
            r.error = "; ".join(row.errors)[:ERROR_LENGTH]
            r.processed_at = now
            r.attempts += 1
            r.created, r.revised, r.unchanged = row.created, row.revised, row.unchanged
            r.skipped = row.skipped
            outcome.processed += 0 if row.errors else 1
            outcome.failed += 1 if row.errors else 0
            outcome.created += row.created
            outcome.revised += row.revised
            outcome.unchanged += row.unchanged
            outcome.skipped += row.skipped
        InboxRequest.objects.bulk_update(
            inbox,
            ["status", "error", "processed_at", "attempts", "created", "revised", "unchanged",
             "skipped"],
        )  # fmt: skip
        outcome.requests = len(inbox)
    return outcome


def drain(*, now: Callable[[], datetime]) -> Outcome:
    """Map every pending request, oldest first, in batches: the task the way in queues.

    The flag is cleared first, so a request stored from then on queues the next drain; each
    batch takes the clock anew (`now`), as a long drain runs for a while."""
    InboxDrain.objects.filter(pk=1).update(queued=False)
    total = Outcome()
    seen: set[int] = set()
    while True:
        ids = [
            pk
            for pk in InboxRequest.objects.filter(status=InboxStatus.PENDING)
            .order_by("received_at", "pk")
            .values_list("pk", flat=True)[:DRAIN_BATCH]
            if pk not in seen
        ]
        if not ids:
            return total
        seen.update(ids)
        total.add(process(ids, now=now(), pending_only=True))
