"""Checklists: the seeds' steps ship for every ask type, each can be walked to its end, steps
are copied set-based, and editing a template never rewrites a running ask."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db.models import F

from advocacy.pipeline.checklists import (
    ChecklistError,
    StepSpec,
    complete_step,
    create_checklists,
    current_template,
    parse_yaml_steps,
    path_to,
    read_default_checklists,
    save_template,
)
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskStep, AskType
from advocacy.pipeline.services import advance_ask
from advocacy.pipeline.tests.factories import NOW, make_ask

pytestmark = pytest.mark.django_db


def test_every_ask_type_ships_with_its_default_checklist() -> None:
    codes = set(AskType.objects.values_list("code", flat=True))
    assert set(read_default_checklists()) == codes
    for ask_type in AskType.objects.all():
        template = current_template(ask_type)
        assert template is not None
        assert (template.version, template.note) == (1, "default")
    reference = current_template(AskType.objects.get(code="reference_call"))
    assert reference is not None
    steps = list(reference.steps.all())
    assert len(steps) == 7  # seed 003's seven steps
    assert [s.owner_role for s in steps] == ["sales", "cs", "sales", "cs", "cs", "sales", "cs"]
    assert "Advice to other companies evaluating the solution" in steps[4].text


@pytest.mark.parametrize("code", sorted(read_default_checklists()))
def test_each_ask_types_checklist_walks_to_its_end(code: str, member: Any) -> None:
    """GIVEN a proposed ask WHEN every step is ticked in order THEN the ask reaches the status
    of its last status step, one declared move at a time, and every tick is an event."""
    ask = make_ask(code)
    steps = list(AskStep.objects.filter(ask=ask))
    assert [s.title for s in steps] == [s.title for s in read_default_checklists()[code]]
    reached = [AskStatus.PROPOSED]
    for step in steps:
        _, moves = complete_step(step, actor=member, now=NOW, note="ok")
        reached += moves
    ask.refresh_from_db()
    final = [s.requires_status for s in steps if s.requires_status][-1]
    assert ask.status == final
    assert reached[-1] == final
    assert AskStep.objects.filter(ask=ask, done_at=NOW, done_by=member).count() == len(steps)
    ticks = AskEvent.objects.filter(ask=ask, note__startswith="step ", note__contains=" done: ")
    assert ticks.count() == len(steps)
    moves = (
        AskEvent.objects.filter(ask=ask).exclude(from_status="").exclude(from_status=F("to_status"))
    )
    assert [(e.from_status, e.to_status) for e in moves] == list(itertools.pairwise(reached))


def test_a_review_is_published_when_its_published_step_is_ticked(member: Any) -> None:
    ask = make_ask("review", status=AskStatus.COMPLETED)
    last = AskStep.objects.get(ask=ask, position=4)
    assert (last.title, last.requires_status) == ("Review published on the site", "published")
    _, moves = complete_step(last, actor=member, now=NOW, note="https://www.g2.com/r/1")
    assert moves == ["published"]
    assert Ask.objects.get(pk=ask.pk).status == "published"
    assert AskStep.objects.get(pk=last.pk).note == "https://www.g2.com/r/1"


def test_a_step_already_passed_is_ticked_without_moving(member: Any) -> None:
    ask = make_ask("reference_call", status=AskStatus.SCHEDULED)
    step = AskStep.objects.get(ask=ask, position=2)  # requires accepted
    _, moves = complete_step(step, actor=member, now=NOW)
    assert moves == []
    assert Ask.objects.get(pk=ask.pk).status == "scheduled"


def test_a_step_is_done_once(member: Any) -> None:
    step = AskStep.objects.get(ask=make_ask("review"), position=1)
    complete_step(step, actor=member, now=NOW)
    with pytest.raises(ChecklistError, match="step 1 is already done"):
        complete_step(step, actor=member, now=NOW)
    assert AskEvent.objects.filter(note__startswith="step 1 done").count() == 1


def test_a_closed_ask_refuses_ticks(member: Any) -> None:
    ask = make_ask("review", status=AskStatus.SENT)
    advance_ask(ask, AskStatus.DECLINED, actor=member, now=NOW)
    step = AskStep.objects.get(ask=ask, position=3)
    with pytest.raises(ChecklistError, match=f"ask {ask.pk} is declined: its checklist is closed"):
        complete_step(step, actor=member, now=NOW)
    assert AskStep.objects.get(pk=step.pk).done_at is None


def test_paths_follow_the_declared_moves_and_avoid_dead_ends() -> None:
    assert path_to("proposed", "published") == ["sent", "accepted", "completed", "published"]
    assert path_to("queued", "scheduled") == ["sent", "accepted", "scheduled"]
    assert path_to("sent", "sent") == []
    assert path_to("published", "sent") is None
    assert path_to("declined", "published") is None


def test_steps_are_copied_for_many_asks_in_one_statement(django_assert_num_queries: Any) -> None:
    one = [make_ask("review", opened=False).pk]
    many = [make_ask(code, opened=False).pk for code in ("case_study", "review") * 40]
    with django_assert_num_queries(1):
        assert create_checklists(one) == 4
    with django_assert_num_queries(1):
        assert create_checklists(many) == 40 * 9 + 40 * 4
    with django_assert_num_queries(1):
        assert create_checklists(many) == 0  # idempotent


def test_editing_a_template_does_not_rewrite_running_asks(owner: Any) -> None:
    review = AskType.objects.get(code="review")
    running = make_ask("review")
    template = save_template(
        review,
        [StepSpec("Ask in the QBR", "cs", status="sent"), StepSpec("Thank them", "cs")],
        actor=owner,
        now=NOW,
        note="shorter",
    )
    assert (template.version, template.created_by_id) == (2, owner.pk)
    assert list(AskStep.objects.filter(ask=running).values_list("title", flat=True)) == [
        "Review request sent with the direct link to the review site",
        "Advocate agrees to write the review",
        "Review submitted (note the link to it)",
        "Review published on the site",
    ]
    fresh = make_ask("review")
    assert list(AskStep.objects.filter(ask=fresh).values_list("title", flat=True)) == [
        "Ask in the QBR",
        "Thank them",
    ]
    assert current_template(review) == template


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "steps: expected a non-empty list of steps"),
        ("- {title: ''}", "steps: step 1: title must be 1 to 200 characters"),
        ("- {title: a, role: boss}", "steps: step 1: role must be one of admin, cs, sales"),
        ("- {title: a, status: declined}", "steps: step 1: status must be one of proposed"),
        ("- {title: a, colour: red}", "steps: step 1: unknown fields ['colour']"),
        ("- {title: a\n- b: [", "steps: line 2 not valid YAML"),
    ],
)
def test_bad_steps_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(ChecklistError) as excinfo:
        parse_yaml_steps(text)
    assert str(excinfo.value).startswith(message)
