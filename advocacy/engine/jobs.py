"""The engine's long work as jobs (advocacy.core.jobs): a simulation and a refresh of every
profile. Both are unbounded (a year of days to replay, every contact to profile), so the web UI
and the API never do them within a request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from advocacy.core.jobs import JobKind, Reporter, register_kind, start_job
from advocacy.core.models import Job
from advocacy.engine.services import current_policy
from advocacy.engine.simulation import simulate
from advocacy.engine.state import refresh_profiles

SIMULATION = "simulation"
PROFILES = "profiles"


def _moment(job: Job, name: str) -> datetime:
    moment = parse_datetime(str(job.params.get(name, "")))
    if moment is None:
        raise ValueError(f"job {job.pk} has no {name!r} moment")
    return moment


def start_simulation(
    start: datetime,
    end: datetime,
    *,
    names: list[str] | None,
    now: datetime,
    actor: Any = None,
    api_key: str = "",
    step: timedelta = timedelta(days=1),
) -> Job:
    """Queue a replay of the plays (all enabled ones when `names` is empty) over a period."""
    which = ", ".join(names) if names else "every enabled play"
    return start_job(
        SIMULATION,
        title=f"Simulation of {which}, {start:%Y-%m-%d} to {end:%Y-%m-%d}",
        params={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "plays": list(names or []),
            "step_hours": step // timedelta(hours=1),
        },
        unit="days" if step == timedelta(days=1) else "steps",
        total=(end - start) // step + 1,
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _simulate(job: Job, report: Reporter) -> dict[str, Any]:
    hours = int(job.params.get("step_hours") or 24)
    result = simulate(
        _moment(job, "from"),
        _moment(job, "to"),
        names=job.params.get("plays") or None,
        step=timedelta(hours=hours),
        policy=current_policy(),
        # The replay is one transaction, rolled back at its end: progress is written aside.
        progress=lambda done, total: report.aside(done, total),
    )
    return result.as_dict()


def start_profile_refresh(*, now: datetime, actor: Any = None, api_key: str = "") -> Job:
    """Queue a rewrite of every contact's stored profile as of `now`."""
    return start_job(
        PROFILES,
        title=f"Profiles of every contact as of {now:%Y-%m-%d %H:%M}",
        params={"as_of": now.isoformat()},
        unit="contacts",
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _refresh(job: Job, report: Reporter) -> dict[str, Any]:
    as_of = _moment(job, "as_of")
    count = refresh_profiles(now=as_of, policy=current_policy(), progress=report)
    return {"refreshed": count, "as_of": as_of.isoformat()}


def register() -> None:
    register_kind(JobKind(SIMULATION, "Simulation", _simulate, expected=(ValueError,)))
    register_kind(JobKind(PROFILES, "Profile refresh", _refresh, expected=(ValueError,)))
