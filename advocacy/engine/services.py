"""Entry points the delivery layers call: the policy in force, explanations, manual asks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Case, Value, When

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, CapExceeded, open_asks
from advocacy.engine.caps import covering, windows
from advocacy.engine.explain import Explanation, next_best_asks
from advocacy.engine.models import AskTypePreference, TapClaim
from advocacy.engine.plays import LoadResult, PlaybookError, PlayError, load_playbook
from advocacy.engine.policy import Policy, read_policy
from advocacy.engine.profile import with_profile
from advocacy.engine.readiness import cap_words, refusal_words, refuses
from advocacy.engine.rules import REASONS, cap_code, requirements
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


# What a refusal of the API and the CLI adds; the web's Ask now form has no override.
OVERRIDE_HINT = "Give an override_reason to ask anyway (it is recorded)."


class Excluded(Exception):
    """A manual ask refused by the rules (not eligible, wrong stage, an exclusion); `names`
    lists what refused it and `codes` their reason codes."""

    def __init__(self, email: str, ask_type: str, names: list[str], codes: list[str]) -> None:
        self.email, self.ask_type, self.names, self.codes = email, ask_type, names, codes
        super().__init__(f"{email} may not be asked for {ask_type}: {'; '.join(names)}")


def load_configured_playbook(*, now: datetime) -> LoadResult:
    """Load the configured playbook folder (plays and policy.yaml checked): all or nothing."""
    folder = Path(settings.PLAYBOOK_DIR)
    if not folder.is_dir():
        raise PlaybookError([PlayError(folder.name, 0, "", "the playbook folder does not exist")])
    return load_playbook(folder, now=now)


def refusals_for(
    contact_id: int,
    ask_type: AskType,
    *,
    now: datetime,
    policy: Policy,
    exclusions_only: bool = False,
) -> list[tuple[str, str]]:
    """(code, words) of every rule that refuses `ask_type` to this contact as of `now`
    (with `exclusions_only`, of the exclusions alone).

    One query, from the rules plays are evaluated by. A rule that only holds an ask for
    approval does not refuse here: a person asking by hand is that approval.
    """
    found = refusals_of(
        [contact_id], ask_type, now=now, policy=policy, exclusions_only=exclusions_only
    )
    return found[contact_id]


def refusals_of(
    contact_ids: Sequence[int],
    ask_type: AskType,
    *,
    now: datetime,
    policy: Policy,
    exclusions_only: bool = False,
) -> dict[int, list[tuple[str, str]]]:
    """`refusals_for` of many contacts in one query: contact id → (code, words) refusing."""
    rules = [
        r
        for r in requirements(policy, ask_type)
        if not r.holds and (r.blocks or not exclusions_only)
    ]
    flags = {
        f"rule_{i}": Case(
            When(refuses(rule, now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for i, rule in enumerate(rules)
    }
    contacts = with_profile(Contact.objects.filter(pk__in=list(contact_ids)), now, policy)
    words = refusal_words(ask_type, policy)
    return {
        row["pk"]: [(r.code, words[r.code]) for i, r in enumerate(rules) if row[f"rule_{i}"]]
        for row in contacts.annotate(**flags).values("pk", *flags)
    }


def refuse_unless_allowed(
    contact: Contact,
    ask_type: AskType,
    *,
    now: datetime,
    policy: Policy,
    exclusions_only: bool = False,
) -> None:
    """Raise Excluded when any rule (or exclusion) refuses `ask_type` to `contact` now."""
    refused = refusals_for(
        contact.pk, ask_type, now=now, policy=policy, exclusions_only=exclusions_only
    )
    if refused:
        codes = [code for code, _ in refused]
        raise Excluded(contact.email, ask_type.code, [w for _, w in refused], codes)


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
    """Open one ask by hand, owned by `actor`; the rules and the tap caps hold as for plays.

    Refused with Excluded (not eligible, a stage too early, opted out, left, dissatisfied...)
    or CapExceeded (saying when the next ask is allowed). An `override_reason` sets both aside;
    the ask then carries a CapOverride row naming the actor and the reason.
    """
    if not override_reason:
        refuse_unless_allowed(contact, ask_type, now=now, policy=policy)
    owner_id = getattr(actor, "pk", None)
    request = AskRequest(contact.pk, ask_type, f"manual:{now.isoformat()}", owner_id=owner_id)
    result = open_asks(
        [request], now=now, actor=actor, policy=policy, override_reason=override_reason
    )
    if not result.opened:
        raise CapExceeded(*_cap_refusal(contact, ask_type, now=now, policy=policy))
    ask = result.opened[0]
    if note:
        AskEvent.objects.filter(ask=ask).update(note=f"opened by hand: {note}")
    return ask


def _cap_refusal(
    contact: Contact, ask_type: AskType, *, now: datetime, policy: Policy
) -> tuple[str, str]:
    """Which cap refused an ask of this type, and when the next one is allowed; its code."""
    what, code = cap_refusals([contact], ask_type, now=now, policy=policy)[contact.pk]
    return f"{what}. {OVERRIDE_HINT}", code


def cap_refusals(
    contacts: Sequence[Contact], ask_type: AskType, *, now: datetime, policy: Policy
) -> dict[int, tuple[str, str]]:
    """For contacts a cap refused an ask of this type: which cap, in words, and its code.

    A fixed number of queries whatever the number of contacts (the unwilling, the windows in
    force, each effort's days), so a bulk ask explains every refusal at the same cost as one.
    """
    ids = [c.pk for c in contacts]
    unwilling = set(
        AskTypePreference.objects.filter(
            contact_id__in=ids, ask_type=ask_type, willing=False
        ).values_list("contact_id", flat=True)
    )
    efforts = covering(ask_type, policy)
    claims: dict[int, dict[str, Any]] = {}
    for contact_id, effort, until in TapClaim.objects.filter(
        contact_id__in=ids, effort__in=efforts
    ).values_list("contact_id", "effort", "next_allowed_at"):
        claims.setdefault(contact_id, {})[effort] = until
    days = {effort: windows(ids, effort, policy) for effort in efforts}
    found: dict[int, tuple[str, str]] = {}
    for contact in contacts:
        if contact.pk in unwilling:
            found[contact.pk] = (
                f"{contact.email}: {REASONS['not_willing']} ({ask_type.name})",
                "not_willing",
            )
            continue
        open_windows = claims.get(contact.pk, {})
        shut = [e for e in efforts if (u := open_windows.get(e)) is not None and u > now]
        if shut:
            effort = shut[-1]
            until = max(open_windows[e] or now for e in shut)
            found[contact.pk] = (
                f"tap cap: {contact.email} may be asked one ask of {effort.replace('_', ' ')} "
                f"effort or higher per {days[effort][contact.pk]} days; the next is allowed "
                f"from {until.isoformat()}",
                cap_code(effort),
            )
        else:
            found[contact.pk] = (
                f"{cap_words(ask_type, policy, 'cap_ask_type')} for {contact.email}",
                "cap_ask_type",
            )
    return found


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
