"""Checklists: the steps of each ask type (templates, versioned) and of each ask (copies).

- Templates are versioned: `save_template` writes a new version, never edits one in place.
- An ask's steps are copied from its type's current template when it is opened, by one
  `INSERT … SELECT` for any number of asks (`create_checklists`), so editing a template never
  rewrites a running ask's checklist or history.
- Ticking a step (`complete_step`) is a conditional UPDATE (a step is done once) and an event;
  a step that requires a status moves the ask there through `advance_ask`, the one place
  statuses change, walking the shortest path of declared moves (each move its own event).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from advocacy.people.models import Role
from advocacy.pipeline.models import (
    TRANSITIONS,
    Ask,
    AskEvent,
    AskStatus,
    AskStep,
    AskType,
    ChecklistStep,
    ChecklistTemplate,
)
from advocacy.pipeline.services import advance_ask

DEFAULT_CHECKLISTS = Path(__file__).with_name("checklists.yaml")
STEP_KEYS = {"title", "role", "text", "status"}
MAX_STEPS = 50
CHUNK = 10_000  # ids per statement: well under the variable limit of either database
# Statuses an ask reaches only by the advocate saying no or by someone stopping it: never a
# step on the way to another status.
DEAD_ENDS = frozenset({AskStatus.DECLINED, AskStatus.EXPIRED, AskStatus.CANCELLED})


class ChecklistError(ValueError):
    """A template or a tick that cannot be accepted; the message says why."""


class StepRefused(ChecklistError):
    """A tick the ask's state refuses: done already, a closed ask, a status out of reach."""


@dataclass(frozen=True)
class StepSpec:
    title: str
    role: str = ""
    text: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"title": self.title, "role": self.role}
        if self.text:
            out["text"] = self.text
        if self.status:
            out["status"] = self.status
        return out


def parse_steps(items: Any, where: str = "steps") -> list[StepSpec]:
    """Check a list of steps (from YAML, a form or the API); errors name the step and field."""
    if not isinstance(items, list) or not items:
        raise ChecklistError(f"{where}: expected a non-empty list of steps")
    if len(items) > MAX_STEPS:
        raise ChecklistError(f"{where}: at most {MAX_STEPS} steps, found {len(items)}")
    steps = []
    for i, item in enumerate(items, start=1):
        at = f"{where}: step {i}"
        if not isinstance(item, dict):
            raise ChecklistError(f"{at}: expected a mapping with a title")
        unknown = set(item) - STEP_KEYS
        if unknown:
            raise ChecklistError(
                f"{at}: unknown fields {sorted(unknown)} (known: {sorted(STEP_KEYS)})"
            )
        title = str(item.get("title") or "").strip()
        if not title or len(title) > 200:
            raise ChecklistError(f"{at}: title must be 1 to 200 characters")
        role = str(item.get("role") or "")
        if role and role not in Role.values:
            raise ChecklistError(
                f"{at}: role must be one of {', '.join(Role.values)}, found {role!r}"
            )
        status = str(item.get("status") or "")
        if status and (status not in AskStatus.values or status in DEAD_ENDS):
            allowed = [s for s in AskStatus.values if s not in DEAD_ENDS]
            raise ChecklistError(
                f"{at}: status must be one of {', '.join(allowed)}, found {status!r}"
            )
        text = item.get("text") or ""
        if not isinstance(text, str) or len(text) > 10_000:
            raise ChecklistError(f"{at}: text must be at most 10,000 characters of text")
        steps.append(StepSpec(title, role, text.rstrip("\n"), status))
    return steps


def parse_yaml_steps(text: str, where: str = "steps") -> list[StepSpec]:
    try:
        items = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ChecklistError(f"{where}:{line} not valid YAML") from None
    return parse_steps(items, where)


def read_default_checklists(path: Path = DEFAULT_CHECKLISTS) -> dict[str, list[StepSpec]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ChecklistError(f"{path.name}: expected a mapping of ask type codes to steps")
    return {code: parse_steps(items, f"{path.name}: {code}") for code, items in data.items()}


def current_templates() -> dict[int, ChecklistTemplate]:
    """The current (highest) version of each ask type's template, by ask type id."""
    latest = ChecklistTemplate.objects.values("ask_type_id").annotate(v=Max("version"))
    wanted = {row["ask_type_id"]: row["v"] for row in latest}
    templates = ChecklistTemplate.objects.filter(ask_type_id__in=wanted).select_related("ask_type")
    return {t.ask_type_id: t for t in templates if wanted[t.ask_type_id] == t.version}


def current_template(ask_type: AskType) -> ChecklistTemplate | None:
    return ask_type.checklist_templates.order_by("-version").first()


@transaction.atomic
def save_template(
    ask_type: AskType, steps: Sequence[StepSpec], *, actor: Any, now: datetime, note: str = ""
) -> ChecklistTemplate:
    """Write `steps` as the next version of the ask type's template (running asks keep theirs)."""
    steps = parse_steps([s.as_dict() for s in steps])
    latest = ask_type.checklist_templates.aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            template = ChecklistTemplate.objects.create(
                ask_type=ask_type,
                version=latest + 1,
                note=note[:200],
                created_by_id=getattr(actor, "pk", None),
                created_at=now,
            )
    except IntegrityError:
        raise ChecklistError(
            f"{ask_type.code}: someone saved version {latest + 1} meanwhile; reload and edit again"
        ) from None
    ChecklistStep.objects.bulk_create(
        [
            ChecklistStep(
                template=template,
                position=i,
                title=s.title,
                owner_role=s.role,
                text=s.text,
                requires_status=s.status,
            )
            for i, s in enumerate(steps, start=1)
        ]
    )
    return template


def load_default_templates(*, now: datetime) -> int:
    """Give every ask type without a template the shipped default as version 1."""
    defaults = read_default_checklists()
    have = set(ChecklistTemplate.objects.values_list("ask_type__code", flat=True))
    created = 0
    for ask_type in AskType.objects.filter(code__in=set(defaults) - have):
        save_template(ask_type, defaults[ask_type.code], actor=None, now=now, note="default")
        created += 1
    return created


def create_checklists(ask_ids: Iterable[int]) -> int:
    """Copy the current template's steps to each ask that has none: one INSERT … SELECT a chunk.

    Idempotent: asks that already have steps are skipped, and the unique (ask, position) holds
    against a concurrent copy. Returns how many steps were written.
    """
    ids = sorted(set(ask_ids))
    ask, step, template = (
        Ask._meta.db_table,
        AskStep._meta.db_table,
        ChecklistTemplate._meta.db_table,
    )
    source = ChecklistStep._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"""
                INSERT INTO {step}
                    (ask_id, template_id, position, title, owner_role, text, requires_status,
                     note, done_at, done_by_id)
                SELECT a.id, t.id, s.position, s.title, s.owner_role, s.text, s.requires_status,
                       '', NULL, NULL
                FROM {ask} a
                JOIN {template} t ON t.ask_type_id = a.ask_type_id
                JOIN {source} s ON s.template_id = t.id
                WHERE a.id IN ({marks})
                  AND t.version = (SELECT MAX(t2.version) FROM {template} t2
                                   WHERE t2.ask_type_id = a.ask_type_id)
                  AND NOT EXISTS (SELECT 1 FROM {step} x WHERE x.ask_id = a.id)
                ON CONFLICT DO NOTHING
                """,
                chunk,
            )
            written += max(cursor.rowcount, 0)
    return written


def path_to(start: str, goal: str) -> list[str] | None:
    """The shortest list of declared moves from `start` to `goal` (never through a dead end)."""
    if start == goal:
        return []
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        state, path = queue.popleft()
        for nxt in sorted(TRANSITIONS.get(state, frozenset())):
            if nxt in seen or (nxt in DEAD_ENDS and nxt != goal):
                continue
            if nxt == goal:
                return [*path, nxt]
            seen.add(nxt)
            queue.append((nxt, [*path, nxt]))
    return None


@transaction.atomic
def complete_step(
    step: AskStep, *, actor: Any, now: datetime, note: str = ""
) -> tuple[AskStep, list[str]]:
    """Tick `step` (once) and, if it requires a status, bring its ask there; returns the moves.

    A step whose status the ask has already passed is ticked without moving the ask. A closed
    ask (declined, expired, cancelled) or a status it can no longer reach refuses the tick.
    """
    ask = Ask.objects.select_for_update().get(pk=step.ask_id)
    if ask.status in DEAD_ENDS:
        raise StepRefused(f"ask {ask.pk} is {ask.status}: its checklist is closed")
    moves: list[str] = []
    goal = step.requires_status
    if goal and ask.status != goal:
        path = path_to(ask.status, goal)
        if path is None and path_to(goal, ask.status) is None:
            raise StepRefused(
                f"ask {ask.pk} is {ask.status}: step {step.position} needs it {goal}, "
                "which it can no longer reach"
            )
        for to in path or []:
            advance_ask(ask, to, actor=actor, now=now, note=f"step {step.position}: {step.title}")
            moves.append(to)
    actor_id = getattr(actor, "pk", None)
    done = AskStep.objects.filter(pk=step.pk, done_at__isnull=True).update(
        done_at=now, done_by_id=actor_id, note=note[:2000]
    )
    if done != 1:
        raise StepRefused(f"ask {ask.pk}: step {step.position} is already done")
    AskEvent.objects.create(
        ask=ask,
        from_status=ask.status,
        to_status=ask.status,
        actor_id=actor_id,
        note=f"step {step.position} done: {step.title}" + (f" ({note})" if note else ""),
        at=now,
    )
    step.done_at, step.done_by_id, step.note = now, actor_id, note[:2000]
    return step, moves


def ask_step(ask_id: int, position: int) -> AskStep:
    step = AskStep.objects.filter(ask_id=ask_id, position=position).first()
    if step is None:
        if not Ask.objects.filter(pk=ask_id).exists():
            raise Ask.DoesNotExist(f"no ask with id {ask_id}")
        raise AskStep.DoesNotExist(f"ask {ask_id} has no step {position}")
    return step


def template_steps(template: ChecklistTemplate) -> list[StepSpec]:
    return [
        StepSpec(s.title, s.owner_role, s.text, s.requires_status) for s in template.steps.all()
    ]
