"""A play's candidate query is learnt as a template and run at any moment with the ORM's SQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection

from advocacy.engine.evaluation import Option, candidate_queries, play_options
from advocacy.engine.models import Play
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.prepared import PreparedCache, _compile, prepare
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
STRICT = Policy(nps_min=10, health_min=80, tenure_days_min=180)


def builders() -> list[tuple[str, Any]]:
    load_playbook(now=NOW)
    found = []
    types = {t.code: t for t in AskType.objects.all()}
    for play in Play.objects.order_by("name"):
        options = play_options(play, STRICT, types)
        for incremental in (False, True):
            for level in (0, 1):

                def build(
                    at: dt.datetime,
                    watermark: int,
                    play: Play = play,
                    options: list[Option] = options,
                    incremental: bool = incremental,
                    level: int = level,
                ) -> Any:
                    cut = watermark if incremental else 0
                    return candidate_queries(play, options, at, STRICT, cut)[level]

                found.append((f"{play.name}/{incremental}/{level}", build))
    return found


@pytest.mark.django_db
def test_every_default_play_compiles_to_one_template_at_both_levels() -> None:
    built = builders()
    assert len(built) == 4 * Play.objects.count() == 32
    refused = [name for name, build in built if prepare(build, NOW) is None]
    assert refused == []


MOMENTS = (
    (dt.datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=dt.UTC), 1),
    (dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), 17),
    (dt.datetime(2031, 12, 31, 0, 0, 1, tzinfo=dt.UTC), 2**40),
)


@pytest.mark.django_db
def test_the_template_gives_the_orm_sql_and_parameters_at_any_moment() -> None:
    for name, build in builders():
        prepared = prepare(build, NOW, 5)
        assert prepared is not None, name
        for moment, watermark in MOMENTS:
            sql, params, names = _compile(build(moment, watermark))
            assert prepared.sql == sql, name
            assert prepared.parameters(moment, watermark) == list(params), (name, moment)
            assert list(prepared.names) == names, name


def test_a_query_whose_sql_changes_with_time_is_refused(db: Any) -> None:
    def build(at: dt.datetime, watermark: int) -> Any:
        # A different statement before and after a date: no single template covers it.
        qs = Signal.objects.filter(occurred_at__lte=at)
        return qs.filter(value__gt=1) if at.year == NOW.year else qs

    assert prepare(build, NOW) is None


@pytest.mark.parametrize(
    "depends",
    [
        lambda at: {"value": at.year},
        lambda at: {"occurred_at__gte": at.replace(day=1)},
        lambda at: {"occurred_at__gte": at.replace(hour=0, minute=0)},
        lambda at: {"occurred_at__gte": at.replace(microsecond=0)},
        lambda at: {"occurred_at__date": at.date().replace(month=1)},
    ],
    ids=["year", "first-of-month", "midnight", "whole-second", "january"],
)
def test_a_parameter_that_is_not_a_shift_of_now_is_refused(db: Any, depends: Any) -> None:
    def build(at: dt.datetime, watermark: int) -> Any:
        return Signal.objects.filter(**depends(at))

    assert prepare(build, NOW) is None


def test_the_cache_runs_the_orm_first_then_learns_then_stops_building(db: Any) -> None:
    calls: list[dt.datetime] = []

    def build(at: dt.datetime, watermark: int) -> Any:
        calls.append(at)
        return Signal.objects.filter(occurred_at__gt=at - dt.timedelta(days=2)).values("id")

    cache = PreparedCache(limit=2)
    assert cache.rows(("a",), build, NOW) == []
    assert len(calls) == 1 and cache.template(("a",)) is None
    cache.rows(("a",), build, NOW + dt.timedelta(hours=1))
    assert len(calls) == 2 and cache.template(("a",)) is not None
    for day in range(5):
        cache.rows(("a",), build, NOW + dt.timedelta(days=day))
    assert len(calls) == 2
    cache.rows(("b",), build, NOW)
    cache.rows(("c",), build, NOW)  # the oldest key makes room
    assert cache.template(("a",)) is None


def test_a_query_that_cannot_be_templated_keeps_going_through_the_orm(db: Any) -> None:
    calls: list[dt.datetime] = []

    def build(at: dt.datetime, watermark: int) -> Any:
        calls.append(at)
        return Signal.objects.filter(value=at.year).values("id")

    cache = PreparedCache()
    for day in range(4):
        cache.rows(("k",), build, NOW + dt.timedelta(days=day))
    assert len(calls) == 5  # the first run, the learning compilation, then every run
    assert cache.template(("k",)) is None


@pytest.mark.django_db
def test_rows_match_the_orm_on_real_data(member: Any) -> None:
    from advocacy.customers.models import Account, Contact
    from advocacy.signals.models import SignalKind

    load_playbook(now=NOW)
    account = Account.objects.create(name="Acme", customer_since=dt.date(2024, 1, 1))
    contacts = [
        Contact.objects.create(account=account, email=f"c{i}@acme.example") for i in range(3)
    ]
    for i, contact in enumerate(contacts):
        Signal.objects.create(
            source="test",
            key=f"nps-{i}",
            kind=SignalKind.NPS,
            contact=contact,
            account=account,
            value=8 + i,
            occurred_at=NOW - dt.timedelta(hours=3 + i),
        )
    play = Play.objects.get(name="nps-promoter-review")
    options = play_options(play, DEFAULT_POLICY, {t.code: t for t in AskType.objects.all()})

    def build(at: dt.datetime, watermark: int) -> Any:
        return candidate_queries(play, options, at, DEFAULT_POLICY, 0)[0]

    prepared = prepare(build, NOW)
    assert prepared is not None
    for at in (NOW, NOW + dt.timedelta(hours=40), NOW + dt.timedelta(days=5)):
        expected = sorted(build(at, 0), key=lambda r: r["pk"])
        assert sorted(prepared.rows(at), key=lambda r: r["pk"]) == expected
    assert len(list(build(NOW, 0))) == 2  # the promoters (9 and 10), not the 8


@pytest.mark.django_db
def test_loading_the_playbook_keeps_each_plays_templates_and_runs_build_no_sql(
    monkeypatch: Any,
) -> None:
    from advocacy.engine import evaluation
    from advocacy.engine.plays import DEFAULT_PLAYBOOK
    from advocacy.engine.policy import read_policy

    assert read_policy(DEFAULT_PLAYBOOK) == DEFAULT_POLICY  # so the shipped policy's are kept
    load_playbook(now=NOW)
    plays = list(Play.objects.filter(enabled=True))
    assert [len(p.templates) for p in plays] == [4] * len(plays)
    built: list[str] = []
    real = evaluation.candidate_query

    def spy(play: Play, *args: Any) -> Any:
        built.append(play.name)
        return real(play, *args)

    evaluation._PREPARED.clear()  # a new process: only what the plays keep
    monkeypatch.setattr(evaluation, "candidate_query", spy)
    evaluation.run_plays(now=NOW, policy=DEFAULT_POLICY)
    evaluation.run_plays(now=NOW + dt.timedelta(hours=1), policy=DEFAULT_POLICY, incremental=True)
    assert built == []
    evaluation.run_plays(now=NOW, policy=STRICT)  # another policy: built, then learnt and kept
    assert len(built) == 2 * len(plays)
    assert [len(p.templates) for p in Play.objects.filter(enabled=True)] == [4] * len(plays)
    evaluation.run_plays(now=NOW + dt.timedelta(days=1), policy=STRICT)
    assert len(built) == 4 * len(plays)  # the second run compiles once more to learn
    assert [len(p.templates) for p in Play.objects.filter(enabled=True)] == [6] * len(plays)


def test_a_template_goes_to_json_and_back_and_a_constant_that_is_not_json_stays_out(
    db: Any,
) -> None:
    def build(at: dt.datetime, watermark: int) -> Any:
        since = at - dt.timedelta(days=3, seconds=5)
        return Signal.objects.filter(occurred_at__gt=since, id__gt=watermark, value=2.5)

    template = prepare(build, NOW, 7)
    assert template is not None
    data = template.to_json()
    assert data is not None
    again = type(template).from_json(json.loads(json.dumps(data)))
    assert again == template
    assert again.parameters(NOW, 9) == template.parameters(NOW, 9)

    def fixed(at: dt.datetime, watermark: int) -> Any:
        return Signal.objects.filter(occurred_at__gt=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    constant = prepare(fixed, NOW)
    assert constant is not None
    assert constant.to_json() is None or connection.vendor == "sqlite"  # text on SQLite


def test_values_in_slots_are_bound_at_run_time(db: Any) -> None:
    def build(at: dt.datetime, base: int) -> Any:
        return Signal.objects.filter(
            contact_id__in=[base + 1, base + 2], occurred_at__gt=at - dt.timedelta(days=1)
        ).values("id")

    template = prepare(build, NOW, 0)
    assert template is not None
    assert [p.kind for p in template.params].count("slot") == 2
    sql, params, _ = _compile(build(NOW + dt.timedelta(days=3), 41))
    assert sql == template.sql
    assert template.parameters(NOW + dt.timedelta(days=3), slots=[42, 43]) == list(params)


@pytest.mark.django_db
def test_reloading_an_unchanged_playbook_learns_nothing_again(
    monkeypatch: Any, tmp_path: Any
) -> None:
    """This process keeps what it learnt: the same plays loaded again take their templates
    from it, and a play that changed is learnt again, the others not."""
    import shutil

    from advocacy.engine import evaluation
    from advocacy.engine.plays import DEFAULT_PLAYBOOK

    for path in DEFAULT_PLAYBOOK.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    evaluation._PREPARED.clear()
    learnt: list[str] = []
    real = evaluation.prepare

    def spy(build: Any, now: dt.datetime, watermark: int = 1) -> Any:
        learnt.append("once")
        return real(build, now, watermark)

    monkeypatch.setattr(evaluation, "prepare", spy)
    load_playbook(tmp_path, now=NOW)
    plays = Play.objects.filter(enabled=True).count()
    assert len(learnt) == 4 * plays
    kept = {p.name: p.templates for p in Play.objects.all()}
    load_playbook(tmp_path, now=NOW)
    assert len(learnt) == 4 * plays
    assert {p.name: p.templates for p in Play.objects.all()} == kept
    review = tmp_path / "nps-promoter-review.yaml"
    review.write_text(review.read_text().replace("holdout: 0.1", "holdout: 0.2"))
    load_playbook(tmp_path, now=NOW)
    assert len(learnt) == 4 * plays + 4  # that play alone: two runs, two trigger levels
