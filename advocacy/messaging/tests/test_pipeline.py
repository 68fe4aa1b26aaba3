"""Batches pipelined over one SMTP conversation: batch N+1 is claimed, checked, loaded and built
while batch N is sent, and goes to the server only once batch N is recorded, so a crash doubles
at most one batch, with the same Message-ID, and loses nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import pairwise

import pytest
from django.db import DatabaseError

from advocacy.messaging import delivery
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageAttempt
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db
BATCH = 2


@pytest.fixture
def six(smtp_sink, member) -> list[int]:
    for i in range(6):
        queued_ask(promoter(member, email=f"p{i}@acme.example"))
    return sorted(Message.objects.values_list("pk", flat=True))


@pytest.fixture
def events(monkeypatch) -> list[tuple[str, object]]:
    """What happened, in order: batches staged, emails handed to the server, batches recorded."""
    log: list[tuple[str, object]] = []
    stage, deliver, record = (
        delivery._stage,
        delivery.Conversation.deliver,
        delivery.record,
    )

    def staging(token, **kw):
        staged = stage(token, **kw)
        log.append(("stage", sorted(m.pk for m, _ in staged.prepared)))
        return staged

    def delivering(self, message, mail):
        outcome = deliver(self, message, mail)
        log.append(("sent", message.pk))
        return outcome

    def recording(outcomes, **kw):
        log.append(("record", sorted(o.message.pk for o in outcomes)))
        return record(outcomes, **kw)

    monkeypatch.setattr(delivery, "_stage", staging)
    monkeypatch.setattr(delivery.Conversation, "deliver", delivering)
    monkeypatch.setattr(delivery, "record", recording)
    return log


def test_the_next_batch_is_built_while_one_is_sent_and_sent_once_it_is_recorded(six, events):
    report = deliver_due(now=NOW, batch_size=BATCH)

    assert (report.sent, report.batches) == (6, 3)
    batches = [six[0:2], six[2:4], six[4:6]]
    assert [ids for what, ids in events if what == "stage"] == batches
    assert [ids for what, ids in events if what == "record"] == batches
    assert sorted(pk for what, pk in events if what == "sent") == six
    at = {event if event[0] == "sent" else (event[0], tuple(event[1])): i
          for i, event in enumerate(events)}  # fmt: skip
    for before, after in pairwise(batches):
        # Built while the one before was with the server, before it was recorded ...
        assert at[("stage", tuple(after))] < at[("record", tuple(before))]
        # ... and handed to the server only once the one before was recorded.
        assert at[("record", tuple(before))] < min(at[("sent", pk)] for pk in after)
        assert max(at[("sent", pk)] for pk in before) < at[("record", tuple(before))]


def message_ids(sink) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in sink.received)


def test_a_crash_between_send_and_record_sends_that_batch_again_with_its_message_ids(
    smtp_sink, six, monkeypatch
):
    record = delivery.record

    def crash(outcomes, **kw):
        raise RuntimeError("the worker died before recording")

    monkeypatch.setattr(delivery, "record", crash)
    with pytest.raises(RuntimeError):
        deliver_due(now=NOW, batch_size=BATCH)
    first = six[0:2]
    # The server took the first batch; its rows are still sending under their lease, the
    # batch built behind it was put back, the rest never left the queue.
    assert len(smtp_sink.received) == 2
    assert dict(Message.objects.values_list("pk", "status")) == {
        pk: "sending" if pk in first else "queued" for pk in six
    }
    assert MessageAttempt.objects.count() == 0

    monkeypatch.setattr(delivery, "record", record)
    assert deliver_due(now=NOW + dt.timedelta(minutes=1), batch_size=BATCH).sent == 4
    assert set(Message.objects.filter(pk__in=first).values_list("status", flat=True)) == {
        "sending"
    }  # not before their lease runs out
    report = deliver_due(now=NOW + dt.timedelta(minutes=11), batch_size=BATCH)

    assert report.sent == 2
    ids = dict(Message.objects.values_list("pk", "message_id"))
    assert message_ids(smtp_sink) == {ids[pk]: 2 if pk in first else 1 for pk in six}
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(MessageAttempt.objects.values_list("message_id", "result")) == [
        (pk, "sent") for pk in six
    ]


def test_a_database_error_while_building_the_next_batch_still_records_the_one_sent(
    smtp_sink, six, monkeypatch
):
    stage = delivery._stage
    calls = []

    def failing(token, **kw):
        calls.append(token)
        if len(calls) == 2:
            raise DatabaseError("database is locked")
        return stage(token, **kw)

    monkeypatch.setattr(delivery, "_stage", failing)
    with pytest.raises(DatabaseError):
        deliver_due(now=NOW, batch_size=BATCH)

    first = six[0:2]
    assert dict(Message.objects.values_list("pk", "status")) == {
        pk: "sent" if pk in first else "queued" for pk in six
    }  # the batch in flight recorded, the one claimed behind it put back at once
    assert len(smtp_sink.received) == 2
    assert deliver_due(now=NOW, batch_size=BATCH).sent == 4
    assert len(smtp_sink.received) == 6
