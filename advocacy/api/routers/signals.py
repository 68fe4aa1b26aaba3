"""/api/signals: send signals, one or many; read a contact's timeline."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.signal_schemas import SignalBatchIn, SignalFilters, SignalIn, SignalOut
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import BatchOut, Page
from advocacy.api.writes import counts, signal_ids, write_all_or_nothing
from advocacy.customers.models import Contact
from advocacy.signals.models import Signal
from advocacy.signals.services import record_signals

router = ScopedRouter(tags=["signals"])


@router.get("", response=list[SignalOut], operation_id="list_signals")
@paginate(Page)
def list_signals(request: HttpRequest, filters: Query[SignalFilters]) -> QuerySet[Signal]:
    """A contact's timeline, newest first: its own signals and its account's."""
    contact = get_object_or_404(Contact, pk=filters.contact_id)
    signals = Signal.objects.for_contact(contact).timeline()
    if filters.kind:
        signals = signals.filter(kind=filters.kind)
    return signals


@router.post("", response={200: SignalOut, 201: SignalOut}, operation_id="record_signal")
def record_signal(request: HttpRequest, payload: SignalIn) -> Status[Signal]:
    """Record one signal (201); one already stored under its (source, key) is returned (200)."""
    record = payload.to_record()
    result, (written_id,) = write_all_or_nothing(
        record_signals,
        signal_ids,
        [record],
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=False,
    )
    return Status(201 if result.created else 200, Signal.objects.get(pk=written_id))


@router.post("/batch", response={201: BatchOut}, operation_id="record_signals")
def record_signal_batch(request: HttpRequest, payload: SignalBatchIn) -> Status[dict[str, Any]]:
    """Record up to 5,000 signals at once: all of them, or none if one is refused."""
    records = [item.to_record() for item in payload.items]
    result, ids = write_all_or_nothing(
        record_signals,
        signal_ids,
        records,
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=True,
    )
    return Status(201, counts(result, ids))
