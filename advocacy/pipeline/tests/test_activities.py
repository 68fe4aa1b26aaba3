"""The pipeline feeds the program: a completed or published ask records its activity, once."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.pipeline.catalogue import read_catalogue
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.services import InvalidTransition, advance_ask, advance_asks
from advocacy.pipeline.tests.factories import NOW, make_ask
from advocacy.signals.models import Signal, SignalKind

pytestmark = pytest.mark.django_db
S = AskStatus
LATER = NOW + dt.timedelta(days=3)


def program_signals() -> list[tuple[str, str, int | None, int, dt.datetime, dict[str, Any]]]:
    rows = Signal.objects.filter(source="program").order_by("key")
    return [(s.key, s.kind, s.contact_id, s.account_id, s.occurred_at, s.payload) for s in rows]


def test_the_shipped_catalogue_declares_each_types_activity() -> None:
    """GIVEN the migrated database THEN each shipped type says what it produces, and when."""
    rows = AskType.objects.values_list("code", "activity_kind", "activity_on")
    found = {code: (kind, on) for code, kind, on in rows}
    assert found == {
        "review": ("review_published", "published"),
        "testimonial_quote": ("quote_approved", "completed"),
        "anonymous_quote": ("quote_approved", "completed"),
        "video_testimonial": ("video_published", "published"),
        "case_study": ("case_study_published", "published"),
        "reference_call": ("reference_completed", "completed"),
        "referral": ("referral_status", "completed"),
        "speaker": ("talk_given", "completed"),
        "community": ("", ""),
        "advisory_board": ("", ""),
        "content_cocreation": ("content_published", "published"),
    }


def test_publishing_a_review_ask_records_one_program_signal(member: Any) -> None:
    """GIVEN a completed review ask WHEN it is published THEN one review signal, from it."""
    ask = make_ask("review", S.COMPLETED)
    advance_ask(ask, S.PUBLISHED, actor=member, now=LATER)
    assert program_signals() == [
        (
            f"ask:{ask.pk}:review_published",
            "review_published",
            ask.contact_id,
            ask.contact.account_id,
            LATER,
            {"ask_id": ask.pk, "ask_type": "review"},
        )
    ]


def test_the_status_that_produces_nothing_records_nothing(member: Any) -> None:
    """GIVEN a review (produced on published) WHEN it completes THEN no signal yet."""
    ask = make_ask("review", S.ACCEPTED)
    advance_ask(ask, S.COMPLETED, actor=member, now=LATER)
    community = make_ask("community", S.ACCEPTED)
    advance_ask(community, S.COMPLETED, actor=member, now=LATER)
    assert program_signals() == []


def test_moving_again_or_replaying_records_nothing_more(member: Any) -> None:
    """GIVEN a completed reference call WHEN it is published, or the move is replayed THEN
    still its one signal."""
    ask = make_ask("reference_call", S.SCHEDULED)
    stale = Ask.objects.get(pk=ask.pk)  # a second copy, as another mover first saw it
    advance_ask(ask, S.COMPLETED, actor=member, now=NOW)
    with pytest.raises(InvalidTransition):
        advance_ask(stale, S.COMPLETED, actor=member, now=LATER)
    advance_ask(ask, S.PUBLISHED, actor=member, now=LATER)
    moved = advance_asks([ask.pk], S.COMPLETED, actor=member, now=LATER)
    assert (moved.moved, moved.refused) == ([], {ask.pk: S.PUBLISHED})
    assert [(key, at) for key, _, _, _, at, _ in program_signals()] == [
        (f"ask:{ask.pk}:reference_completed", NOW)
    ]


def test_a_referral_names_its_referral(member: Any) -> None:
    """GIVEN an accepted referral ask WHEN it completes THEN the signal carries a referral id."""
    ask = make_ask("referral", S.ACCEPTED)
    advance_ask(ask, S.COMPLETED, actor=member, now=LATER)
    ((key, kind, _, _, _, payload),) = program_signals()
    assert (key, kind, payload) == (
        f"ask:{ask.pk}:referral_status",
        "referral_status",
        {"ask_id": ask.pk, "ask_type": "referral", "referral_id": f"ask-{ask.pk}",
         "status": "submitted"},
    )  # fmt: skip


def test_the_bulk_path_records_each_activity_once(member: Any) -> None:
    """GIVEN asks of several types WHEN they complete, then publish, in bulk, twice THEN each
    produces its one signal at its own status."""
    codes = ["testimonial_quote", "speaker", "case_study", "community", "review"]
    asks = {code: make_ask(code, S.ACCEPTED) for code in codes}
    ids = [a.pk for a in asks.values()]
    assert sorted(advance_asks(ids, S.COMPLETED, actor=member, now=NOW).moved) == sorted(ids)
    advance_asks(ids, S.COMPLETED, actor=member, now=LATER)  # a replay: all refused
    assert sorted(advance_asks(ids, S.PUBLISHED, actor=member, now=LATER).moved) == sorted(ids)
    advance_asks(ids, S.PUBLISHED, actor=member, now=LATER)
    expected = sorted(
        [
            (f"ask:{asks['testimonial_quote'].pk}:quote_approved", NOW),
            (f"ask:{asks['speaker'].pk}:talk_given", NOW),
            (f"ask:{asks['case_study'].pk}:case_study_published", LATER),
            (f"ask:{asks['review'].pk}:review_published", LATER),
        ]
    )
    assert [(key, at) for key, _, _, _, at, _ in program_signals()] == expected
    by_key = {key: (contact, account) for key, _, contact, account, _, _ in program_signals()}
    speaker = asks["speaker"]
    who = (speaker.contact_id, speaker.contact.account_id)
    assert by_key[f"ask:{speaker.pk}:talk_given"] == who


def test_the_bulk_path_costs_the_same_for_one_ask_or_many(member: Any) -> None:
    """GIVEN 1 and then 20 accepted testimonial asks WHEN completed in bulk THEN equal queries."""
    counts = []
    for n in (1, 20):
        ids = [make_ask("testimonial_quote", S.ACCEPTED).pk for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            advance_asks(ids, S.COMPLETED, actor=member, now=NOW)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Signal.objects.filter(source="program", kind="quote_approved").count() == 21


def test_moving_to_sent_stamps_sent_at_once(member: Any) -> None:
    """GIVEN proposed asks WHEN sent, one by one and in bulk THEN sent_at is the move's time,
    and later moves keep it."""
    one = make_ask("review", S.PROPOSED)
    many = [make_ask("review", S.QUEUED) for _ in range(2)]
    advance_ask(one, S.SENT, actor=member, now=NOW)
    assert one.sent_at == NOW
    advance_asks([a.pk for a in many], S.SENT, actor=member, now=LATER)
    advance_ask(one, S.ACCEPTED, actor=member, now=LATER)
    one.refresh_from_db()
    assert one.sent_at == NOW
    for ask in many:
        ask.refresh_from_db()
        assert (ask.status, ask.sent_at) == (S.SENT, LATER)


ON = "activity_on must be one of completed, published (the status at which the "
CATALOGUE_ERRORS = [
    (
        "activity_kind: praise\n  activity_on: completed",
        "activity_kind 'praise' is not a signal kind; one of "
        + ", ".join(SignalKind.values)
        + ", or blank for none",
    ),
    ("activity_kind: review_published", ON + "review_published activity is produced); found ''"),
    (
        "activity_kind: review_published\n  activity_on: sent",
        ON + "review_published activity is produced); found 'sent'",
    ),
    ("activity_on: published", "activity_on 'published' is given without an activity_kind"),
]


@pytest.mark.parametrize(("lines", "message"), CATALOGUE_ERRORS)
def test_the_catalogue_refuses_a_bad_activity(tmp_path: Path, lines: str, message: str) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(f"- code: x\n  name: X\n  effort: low\n  {lines}\n", encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        read_catalogue(path)
    assert str(raised.value) == f"types.yaml: entry 1 (x): {message}"


def test_the_data_migration_fills_in_only_types_without_an_activity() -> None:
    """GIVEN a database from before the activities, one type set by hand WHEN the migration
    runs THEN the shipped activities are filled in and the hand-set one is kept."""
    AskType.objects.update(activity_kind="", activity_on="")
    AskType.objects.filter(code="community").update(
        activity_kind="result_shared", activity_on="completed"
    )
    migration = importlib.import_module("advocacy.pipeline.migrations.0008_catalogue_activities")
    migration.load(apps, None)
    found = dict(AskType.objects.values_list("code", "activity_kind"))
    assert (found["review"], found["speaker"], found["community"], found["advisory_board"]) == (
        "review_published", "talk_given", "result_shared", ""
    )  # fmt: skip
