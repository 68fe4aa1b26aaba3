"""Entry points the delivery layers call: the policy in force, explanations, manual asks."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Case, Value, When

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, CapExceeded, open_asks
from advocacy.engine.caps import next_allowed, windows
from advocacy.engine.conditions import compile_condition
from advocacy.engine.explain import Explanation, next_best_asks
from advocacy.engine.plays import LoadResult, PlaybookError, PlayError, load_playbook
from advocacy.engine.policy import Policy, read_policy
from advocacy.engine.profile import with_profile
from advocacy.engine.rules import exclusions
from advocacy.pipeline.models import Ask, AskEvent, AskType


@lru_cache(maxsize=4)
def _policy_for(folder: str, mtime: float) -> Policy:
    return read_policy(Path(folder))


def current_policy() -> Policy:
    """The policy of the configured playbook folder, re-read when its policy.yaml changes."""
    folder = Path(settings.PLAYBOOK_DIR)
    path = folder / "policy.yaml"
    return _policy_for(str(folder), path.stat().st_mtime if path.exists() else 0.0)


def explain_email(email: str, *, now: datetime) -> Explanation:
    """Next best asks for the contact with this email (Contact.DoesNotExist when none)."""
    contact = Contact.objects.get(email=email.strip().lower())
    return next_best_asks(contact, now=now, policy=current_policy())


class Excluded(Exception):
    """A manual ask refused because exclusions apply to the contact; `names` lists them."""

    def __init__(self, email: str, ask_type: str, names: list[str]) -> None:
        self.email, self.ask_type, self.names = email, ask_type, names
        super().__init__(f"{email} is excluded from {ask_type} asks: {', '.join(names)}")


def load_configured_playbook(*, now: datetime) -> LoadResult:
    """Load the configured playbook folder (plays and policy.yaml checked): all or nothing."""
    folder = Path(settings.PLAYBOOK_DIR)
    if not folder.is_dir():
        raise PlaybookError([PlayError(folder.name, 0, "", "the playbook folder does not exist")])
    try:
        read_policy(folder)
    except (ValueError, yaml.YAMLError) as exc:
        raise PlaybookError([PlayError("policy.yaml", 1, "", str(exc))]) from None
    return load_playbook(folder, now=now)


def exclusions_for(
    contact_id: int, ask_type: AskType, *, now: datetime, policy: Policy
) -> list[str]:
    """The names of the exclusions that keep `ask_type` from this contact as of `now`.

    One query, from the same compiled conditions the plays are evaluated with.
    """
    rules = exclusions(policy, ask_type)
    flags = {
        f"excl_{i}": Case(
            When(compile_condition(cond, now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for i, (_, cond) in enumerate(rules)
    }
    contact = with_profile(Contact.objects.filter(pk=contact_id), now, policy)
    row = contact.annotate(**flags).values(*flags).get()
    return [name for i, (name, _) in enumerate(rules) if row[f"excl_{i}"]]


@transaction.atomic
def open_manual_ask(
    contact: Contact,
    ask_type: AskType,
    *,
    now: datetime,
    actor: Any,
    policy: Policy,
    note: str = "",
    override_reason: str = "",
) -> Ask:
    """Open one ask by hand, owned by `actor`; exclusions and the tap cap hold as for plays.

    Refused with Excluded (the contact is opted out, left, dissatisfied...) or CapExceeded
    (saying when the next ask of that effort is allowed). An `override_reason` sets both aside;
    the ask then carries a CapOverride row naming the actor and the reason.
    """
    if not override_reason:
        names = exclusions_for(contact.pk, ask_type, now=now, policy=policy)
        if names:
            raise Excluded(contact.email, ask_type.code, names)
    request = AskRequest(contact.pk, ask_type, f"manual:{now.isoformat()}", owner_id=actor.pk)
    result = open_asks(
        [request], now=now, actor=actor, policy=policy, override_reason=override_reason
    )
    if not result.opened:
        effort = ask_type.get_effort_display().lower()
        days = windows([contact.pk], ask_type.effort, policy)[contact.pk]
        until = next_allowed(contact.pk).get(ask_type.effort)
        when = f"from {until.isoformat()}" if until else "later"
        raise CapExceeded(
            f"tap cap: {contact.email} may be asked one {effort}-effort ask per {days} days; "
            f"the next {effort}-effort ask is allowed {when}. "
            "Give an override_reason to ask anyway (it is recorded)."
        )
    ask = result.opened[0]
    if note:
        AskEvent.objects.filter(ask=ask).update(note=f"opened by hand: {note}")
    return ask


def warm_start(*, now: datetime, days: int = 90) -> dict[str, int]:
    """Load the configured playbook, run it day by day over the last `days`, compute profiles.

    What a newcomer's install needs to show asks, decisions and reasons at once (the demo
    calls it); the result is what the plays would have done had they been running.
    """
    from datetime import timedelta

    from advocacy.engine.evaluation import catch_up
    from advocacy.engine.state import refresh_profiles

    loaded = load_configured_playbook(now=now)
    policy = current_policy()
    runs = catch_up(now - timedelta(days=days), now, policy=policy) if days else []
    profiles = refresh_profiles(now=now, policy=policy)
    return {
        "plays": len(loaded.plays),
        "decisions": sum(r.considered for r in runs),
        "asks": sum(r.asked for r in runs),
        "profiles": profiles,
    }
