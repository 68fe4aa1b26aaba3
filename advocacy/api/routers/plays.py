"""/api/plays: the loaded plays with their decisions; load the playbook, run, simulate.

Loading and running need `plays:run`. A simulation only reads: it replays the plays inside a
transaction that is rolled back, so it is a GET. It is unbounded work (up to a year of days),
so it runs as a job: 202 and the job to follow, a start per key counted by ADVOCACY_JOB_RATE.
"""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routers.play_schemas import (
    PLAY_NAME_PATTERN,
    DecisionFilters,
    DecisionOut,
    LoadOut,
    PlaybookErrorOut,
    PlayDetailOut,
    PlayOut,
    RunIn,
    RunOut,
    SimulationQuery,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import Page, as_of
from advocacy.core.models import Job
from advocacy.engine.evaluation import run_plays
from advocacy.engine.jobs import start_simulation
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.services import current_policy, load_configured_playbook

router = ScopedRouter(tags=["plays"])
NAME = Path(
    ..., min_length=1, max_length=100, pattern=PLAY_NAME_PATTERN, description="A play's name"
)


def with_counts(plays: QuerySet[Play]) -> QuerySet[Play]:
    """Annotate each play with its decisions counted by outcome (`n_<outcome>`), in one query."""
    return plays.annotate(
        **{f"n_{o}": Count("decisions", filter=Q(decisions__outcome=o)) for o in Outcome.values}
    )


def check_plays(names: list[str]) -> None:
    """Refuse unknown play names, or a request to run when no play is loaded (422)."""
    if names:
        known = set(Play.objects.filter(name__in=names).values_list("name", flat=True))
        unknown = sorted(set(names) - known)
        if unknown:
            raise HttpError(422, f"unknown play(s): {', '.join(unknown)}")
    elif not Play.objects.filter(enabled=True).exists():
        raise HttpError(422, "no plays are loaded: POST /api/plays/load first")


@router.get("", response=list[PlayOut], operation_id="list_plays")
@paginate(Page)
def list_plays(request: HttpRequest) -> QuerySet[Play]:
    """Every loaded play by name, with its last run and its decisions counted by outcome."""
    return with_counts(Play.objects.order_by("name"))


@router.post("/load", response={200: LoadOut, 422: PlaybookErrorOut}, operation_id="load_plays")
def load_plays(request: HttpRequest) -> dict[str, Any]:
    """Load the configured playbook folder: every play, or none if any has an error."""
    result = load_configured_playbook(now=timezone.now())
    return {"plays": [p.name for p in result.plays]}


@router.post("/run", response=RunOut, operation_id="run_plays")
def run(request: HttpRequest, payload: RunIn) -> dict[str, Any]:
    """Evaluate the plays now (or as of `as_of`) and open the asks they decide."""
    check_plays(payload.plays)
    now = as_of(payload.as_of)
    runs = run_plays(
        now=now,
        names=payload.plays or None,
        policy=current_policy(),
        incremental=payload.incremental,
        actor=principal_of(request).user,
    )
    return {"as_of": now, "plays": [r.as_dict() for r in runs]}


@router.get(
    "/simulate",
    response=STARTED,
    operation_id="simulate_plays",
    openapi_extra=STARTED_HEADERS,
)
def simulate_plays(
    request: HttpRequest, response: HttpResponse, query: Query[SimulationQuery]
) -> Status[Job]:
    """Replay the plays day by day over a past period (at most 366 days); nothing is written.
    Answers 202 with the job; once done its `result` is the simulation, week by week."""
    check_plays(query.play)
    start, end = query.period()
    job = start_simulation(
        start,
        end,
        names=query.play or None,
        now=timezone.now(),
        actor=principal_of(request).user,
        api_key=key_prefix(request),
    )
    return accepted(response, job)


@router.get("/{name}", response=PlayDetailOut, operation_id="get_play")
def get_play(request: HttpRequest, name: str = NAME) -> Play:
    """One play: its definition and its decisions counted by outcome."""
    return get_object_or_404(with_counts(Play.objects.all()), name=name)


@router.get("/{name}/decisions", response=list[DecisionOut], operation_id="list_play_decisions")
@paginate(Page)
def list_decisions(
    request: HttpRequest, filters: Query[DecisionFilters], name: str = NAME
) -> QuerySet[Decision]:
    """A play's decisions, newest first, with their reasons; filter by `outcome`."""
    play = get_object_or_404(Play, name=name)
    decisions = play.decisions.select_related("contact").order_by("-decided_at", "-id")
    if filters.outcome:
        decisions = decisions.filter(outcome=filters.outcome)
    return decisions
