"""The hourly pass: each value moment once its period is over, within its window, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.core.scheduler import REGISTRY
from advocacy.messaging.models import Message, MessageStatus
from advocacy.rewards.models import Entry
from advocacy.signals.models import Signal
from advocacy.value import schedule, services
from advocacy.value.gifts import record_gifts
from advocacy.value.models import InsightsPreference, ValueMoment
from advocacy.value.periods import parse
from advocacy.value.tests.conftest import NOW


def test_the_job_is_registered_hourly() -> None:
    assert REGISTRY["value-moments"].every == dt.timedelta(hours=1)


def test_due_names_the_periods_just_over() -> None:
    assert [(k, s.label) for k, s in schedule.due(NOW)] == [
        ("monthly", "2026-11"),
        ("weekly", "2026-W48"),
    ]
    # A week later the month's window (7 days) has closed; the new week's is open.
    later = NOW + dt.timedelta(days=6)
    assert [(k, s.label) for k, s in schedule.due(later)] == [("weekly", "2026-W49")]
    january = dt.datetime(2027, 1, 3, tzinfo=dt.UTC)
    assert [(k, s.label) for k, s in schedule.due(january)] == [
        ("monthly", "2026-12"),
        ("wrapped", "2026"),
        ("account_wrapped", "2026"),
    ]


def test_a_second_pass_sends_nothing(world: dict[str, Any]) -> None:
    InsightsPreference.objects.create(contact=world["bo"], weekly=True, set_at=NOW, set_in="staff")
    first = schedule.run_due(NOW)
    assert [(s["kind"], s["written"]) for s in first["sent"]] == [("monthly", 1), ("weekly", 1)]
    second = schedule.run_due(NOW + dt.timedelta(hours=1))
    assert [(s["kind"], s["written"], s["already"]) for s in second["sent"]] == [
        ("monthly", 0, 1),
        ("weekly", 0, 1),
    ]
    assert sorted(ValueMoment.objects.values_list("contact__email", "kind", "period")) == [
        ("ada@acme.example", "monthly", "2026-11"),
        ("bo@acme.example", "weekly", "2026-W48"),
    ]


def test_gifts_are_recorded_once_each(world: dict[str, Any]) -> None:
    ada = world["ada"]
    credit = Entry.objects.create(
        contact=ada, kind="credit", amount_cents=10_000, reason="thanks", quarter="2026Q4", at=NOW
    )
    Entry.objects.create(
        contact=ada,
        kind="reversal",
        amount_cents=-10_000,
        reason="oops",
        reverses=credit,
        quarter="2026Q4",
        at=NOW,
    )
    services.send("monthly", parse("month", "2026-11"), now=NOW)
    Message.objects.update(status=MessageStatus.SENT, sent_at=NOW)
    assert record_gifts(NOW) == {"credits": 1, "reversals": 1, "moments": 1, "recognition": 0}
    assert record_gifts(NOW) == {"credits": 0, "reversals": 0, "moments": 0, "recognition": 0}
    gifts = Signal.objects.filter(kind="value_given", contact=ada)
    assert sorted(gifts.values_list("text", "value")) == [
        ("credit reversed", -1.0),
        ("reward credit", 1.0),
        ("value moment", 1.0),
    ]
