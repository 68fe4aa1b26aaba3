"""Routing: who owns an ask, decided by declarative rules, set-based for any number of asks.

An ask is in one of two stages (seed 002): the **relationship** (proposed to scheduled; CS owns
it and the nomination) and the **packaging** (completed and published; marketing owns it). For
each ask, the first enabled `RoutingRule` (by position) whose every non-empty criterion matches
(ask type, stage, the account's region, size band and industry, the account's owner) decides:
its user, else its role pool. With no rule:

- relationship: the owner the ask was opened with (the play's owner, or whoever opened it by
  hand), else, for asks in the CS pool, the account's owner (the CSM); the role stays the
  play's, else the stage's role;
- packaging: the stage's role pool (`ADVOCACY_STAGE_ROLES`, marketing by default), no user.

Routing runs when asks are opened and when an ask changes stage (a handoff): one SELECT finds
each ask's rule in the database, one UPDATE (a CASE per column) writes the changes, one INSERT
records an event for each change. With no enabled rule, asks being opened are routed before they
are written instead (`route_openings`), to the same owners with the same events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower

from advocacy.core.bulk import insert_rows
from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.pipeline.process_models import PACKAGING_STATUSES, RoutingRule, Stage, stage_of
from advocacy.pipeline.team_notices import assigned

CHUNK = 5_000  # asks per statement: the UPDATE binds each id three times, under the limits


def stage_roles() -> dict[str, str]:
    roles: dict[str, str] = settings.STAGE_ROLES
    return roles


def stage_expression() -> Case:
    """The stage of an ask as SQL: the rule of `process_models.stage_of`."""
    return Case(
        When(status__in=PACKAGING_STATUSES, then=Value(Stage.PACKAGING.value)),
        default=Value(Stage.RELATIONSHIP.value),
        output_field=CharField(),
    )


def matching_rule() -> Subquery:
    """The id of the first enabled rule matching the outer ask (annotated with `stage`)."""
    account = "contact__account__"
    return Subquery(
        RoutingRule.objects.annotate(industry_lower=Lower("industry"))
        .filter(enabled=True)
        .filter(
            Q(ask_type__isnull=True) | Q(ask_type_id=OuterRef("ask_type_id")),
            Q(stage="") | Q(stage=OuterRef("stage")),
            Q(region="") | Q(region=OuterRef(f"{account}region")),
            Q(size_band="") | Q(size_band=OuterRef(f"{account}size_band")),
            Q(industry="") | Q(industry_lower=OuterRef("industry_lower")),
            Q(account_owner__isnull=True) | Q(account_owner_id=OuterRef(f"{account}owner_id")),
        )
        .order_by("position", "id")
        .values("pk")[:1]
    )


@dataclass(frozen=True)
class Route:
    owner_id: int | None
    role: str
    why: str


def decide(row: Mapping[str, Any], rules: dict[int, RoutingRule]) -> Route:
    """The owner and role pool of one selected ask row (no query: rules are in hand)."""
    roles = stage_roles()
    rule = rules.get(row["rule_id"]) if row["rule_id"] else None
    if rule is not None:
        role = rule.role or (getattr(rule.owner, "role", "") if rule.owner else "")
        return Route(rule.owner_id, role, f"rule {rule.name!r}")
    if row["stage"] == Stage.PACKAGING:
        return Route(None, roles[Stage.PACKAGING], "no rule: the packaging stage's pool")
    if row["owner_id"] is not None:  # kept as opened, role and all
        return Route(row["owner_id"], row["owner_role"], "no rule: the owner it was opened with")
    role = row["owner_role"] or roles[Stage.RELATIONSHIP]
    owner, why = None, ""
    if role == roles[Stage.RELATIONSHIP]:
        owner, why = row["account_owner_id"], "no rule: the account's owner"
    if owner is None:
        why = f"no rule: the {role} pool"
    return Route(owner, role, why)


def _needs_account_owner(stage: str, owner_id: int | None, owner_role: str) -> bool:
    """Whether `decide` without a rule reads the account's owner: the branch that does."""
    roles = stage_roles()
    relationship = roles[Stage.RELATIONSHIP]
    return (
        stage != Stage.PACKAGING
        and owner_id is None
        and (owner_role or relationship) == relationship
    )


def _is_news(route: Route, owner_id: int | None, owner_role: str, handoff: bool) -> bool:
    """Whether a route is noted as an event: filling in the default role alone is not news; a
    new owner or a rule's pool is, and so is every handoff."""
    moved = (route.owner_id, route.role) != (owner_id, owner_role)
    news = route.owner_id != owner_id or route.why.startswith("rule")
    return (moved and news) or handoff


def _note(route: Route, names: Mapping[int, str], status: str, handoff: bool) -> str:
    who = names.get(route.owner_id, "") if route.owner_id else f"the {route.role} pool"
    lead = f"handed off to {row_stage(status)}: " if handoff else ""
    return f"{lead}routed to {who} ({route.why})"


@dataclass(frozen=True)
class Opening:
    """An ask about to be opened, as routing sees it."""

    contact_id: int
    status: str
    owner_id: int | None
    owner_role: str


def route_openings(openings: Sequence[Opening]) -> list[tuple[Route, str]] | None:
    """The route of each ask about to be opened, with the note of its event ('' for none),
    decided before the asks are written so that they are written routed.

    None when enabled rules exist: rules match on the ask's account in the database, so the
    caller routes the written asks with `route_asks`. Without rules a route needs only the ask
    and, for an ask left to the relationship pool without an owner, its account's owner (one
    query for those). The routes and notes are those `route_asks` gives the same asks.
    """
    if RoutingRule.objects.filter(enabled=True).exists():
        return None
    wanted = {
        o.contact_id
        for o in openings
        if _needs_account_owner(stage_of(o.status), o.owner_id, o.owner_role)
    }
    owners: dict[int, int | None] = {}
    if wanted:
        found = Contact.objects.filter(pk__in=wanted).values_list("pk", "account__owner_id")
        owners = dict(found)
    routes = []
    for o in openings:
        row = {
            "rule_id": None,
            "stage": stage_of(o.status),
            "owner_id": o.owner_id,
            "owner_role": o.owner_role,
            "account_owner_id": owners.get(o.contact_id),
        }
        routes.append((decide(row, {}), o))
    names = _usernames(
        {
            r.owner_id
            for r, o in routes
            if r.owner_id and _is_news(r, o.owner_id, o.owner_role, False)
        }
    )
    return [
        (
            r,
            _note(r, names, o.status, False)
            if _is_news(r, o.owner_id, o.owner_role, False)
            else "",
        )
        for r, o in routes
    ]


def _usernames(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")
    return dict(users)


@transaction.atomic
def route_asks(
    ask_ids: Iterable[int],
    *,
    now: datetime,
    actor: Any = None,
    handoff: bool = False,
    record: bool = True,
    tell: bool = True,
) -> dict[int, str]:
    """Give each ask of `ask_ids` the owner routing picks; returns a note per ask routed.

    `handoff` says the asks just changed stage: a note is made for each even when the owner
    stays, so the timeline shows who holds the ask from now on. With `record` the notes are
    written as events; without, the caller puts them in the transition's own event. With
    `tell`, each ask's new owner gets a notice (`team_notices.assigned`), in this transaction
    (a pool does not: its board shows it).
    """
    ids = sorted(set(ask_ids))
    notes: dict[int, str] = {}
    if not ids:
        return notes
    rules = {r.pk: r for r in RoutingRule.objects.filter(enabled=True).select_related("owner")}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = list(
            Ask.objects.filter(pk__in=chunk)
            .annotate(stage=stage_expression(), industry_lower=Lower("contact__account__industry"))
            .annotate(rule_id=matching_rule() if rules else Value(None, IntegerField()))
            .values(
                "pk",
                "status",
                "stage",
                "owner_id",
                "owner_role",
                "rule_id",
                account_owner_id=F("contact__account__owner_id"),
            )
        )
        targets: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        events: list[tuple[int, str, Route]] = []
        new_owner: list[int] = []
        for row in rows:
            route = decide(row, rules)
            if (route.owner_id, route.role) != (row["owner_id"], row["owner_role"]):
                targets[(route.owner_id, route.role)].append(row["pk"])
            if route.owner_id is not None and route.owner_id != row["owner_id"]:
                new_owner.append(row["pk"])
            if _is_news(route, row["owner_id"], row["owner_role"], handoff):
                events.append((row["pk"], row["status"], route))
        if targets:  # one UPDATE for the chunk: a CASE per column over the groups of asks
            groups = list(targets.items())
            Ask.objects.filter(pk__in=[pk for _, pks in groups for pk in pks]).update(
                owner_id=Cast(  # a CASE of only NULLs would be text to PostgreSQL
                    Case(
                        *[When(pk__in=pks, then=Value(owner)) for (owner, _), pks in groups],
                        output_field=BigIntegerField(),
                    ),
                    BigIntegerField(),
                ),
                owner_role=Case(
                    *[When(pk__in=pks, then=Value(role)) for (_, role), pks in groups],
                    output_field=CharField(),
                ),
                updated_at=now,
            )
        if new_owner and tell:
            assigned(new_owner, now=now, actor=actor)
        names = _usernames({r.owner_id for _, _, r in events if r.owner_id})
        for pk, status, r in events:
            notes[pk] = _note(r, names, status, handoff)
        if record:
            actor_id = getattr(actor, "pk", None)
            insert_rows(
                AskEvent,
                ("ask_id", "from_status", "to_status", "actor_id", "at", "note"),
                [(pk, status, status, actor_id, now, notes[pk]) for pk, status, _ in events],
            )
    return notes


def row_stage(status: str) -> str:
    return "packaging" if status in PACKAGING_STATUSES else "the relationship"


RULE_FIELDS = (
    "position",
    "name",
    "enabled",
    "ask_type",
    "stage",
    "region",
    "size_band",
    "industry",
    "account_owner",
    "owner",
    "role",
)


@transaction.atomic
def save_rule(
    fields: Mapping[str, Any], *, now: datetime, rule: RoutingRule | None = None
) -> RoutingRule:
    """Create a rule, or change `rule`, from `fields`; ValidationError names each bad field.

    Rules apply to asks opened or handed off from now on; `reroute_open_asks` applies them to
    the asks already open.
    """
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    rule = rule or RoutingRule(created_at=now)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.updated_at = now
    rule.full_clean()
    rule.save()
    return rule


def reroute_open_asks(*, now: datetime, actor: Any = None) -> dict[int, str]:
    """Apply the rules as they are now to every open ask (a set-based pass, chunked)."""
    ids = list(Ask.objects.open().order_by("pk").values_list("pk", flat=True))
    return route_asks(ids, now=now, actor=actor)
