"""Replay plays over a past period with the clock moving, without touching real asks.

The replay runs the real evaluation inside a transaction that is always rolled back: decisions,
asks and tap claims exist only while it runs, so caps and holdouts behave exactly as they would
have, and nothing remains afterwards. Decisions and asks made from `start` on are set aside
for the replay and tap claims start fresh. On SQLite this holds the write lock while it runs.
Profiles are taken at each step of the clock (default: daily), not at each signal's moment.
`progress(steps done, steps in all)` is called after each step; the web UI and the API run the
simulation as a job (advocacy.engine.jobs), which reports it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction

from advocacy.engine.evaluation import run_plays
from advocacy.engine.models import Decision, Outcome, TapClaim
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.pipeline.models import Ask


class _Rollback(Exception):
    pass


@dataclass
class Week:
    starts: datetime
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.starts.date().isoformat(),
            **{o: self.outcomes[o] for o in Outcome.values},
        }


@dataclass
class Simulation:
    start: datetime
    end: datetime
    plays: list[str]
    weeks: list[Week]
    by_play: dict[str, Counter[str]]

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for week in self.weeks:
            total.update(week.outcomes)
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "plays": self.plays,
            "totals": {o: self.totals()[o] for o in Outcome.values},
            "by_play": {p: {o: c[o] for o in Outcome.values} for p, c in self.by_play.items()},
            "weeks": [w.as_dict() for w in self.weeks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Simulation:
        """The simulation `as_dict` described (a job's result), weeks starting at midnight UTC."""
        weeks = []
        for week in data["weeks"]:
            day = date.fromisoformat(week["week"])
            counts = Counter({o: week.get(o, 0) for o in Outcome.values})
            weeks.append(Week(datetime(day.year, day.month, day.day, tzinfo=UTC), counts))
        return cls(
            start=datetime.fromisoformat(data["from"]),
            end=datetime.fromisoformat(data["to"]),
            plays=list(data["plays"]),
            weeks=weeks,
            by_play={p: Counter(c) for p, c in data["by_play"].items()},
        )


def simulate(
    start: datetime,
    end: datetime,
    *,
    names: list[str] | None = None,
    step: timedelta = timedelta(days=1),
    policy: Policy = DEFAULT_POLICY,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Evaluate the plays at every `step` from `start` to `end`; report outcomes week by week."""
    if end <= start:
        raise ValueError("the end of a simulation must come after its start")
    weeks: dict[datetime, Week] = {}
    by_play: dict[str, Counter[str]] = defaultdict(Counter)
    week0 = start - timedelta(days=start.weekday())
    week0 = week0.replace(hour=0, minute=0, second=0, microsecond=0)
    n = 0
    while week0 + timedelta(weeks=n) < end:
        weeks[week0 + timedelta(weeks=n)] = Week(week0 + timedelta(weeks=n))
        n += 1
    played: set[str] = set()
    steps = (end - start) // step + 1
    try:
        with transaction.atomic():
            # Replay from a clean slate: what the plays would have done from `start` on, as if
            # they had not run yet (caps start fresh too). All of it is rolled back below.
            Decision.objects.filter(decided_at__gte=start).delete()
            Ask.objects.filter(opened_at__gte=start).delete()
            TapClaim.objects.all().delete()
            now = start
            done = 0
            while now <= end:
                for run in run_plays(now=now, names=names, policy=policy):
                    played.add(run.play)
                    week = week0 + timedelta(weeks=(now - week0).days // 7)
                    if week in weeks:
                        weeks[week].outcomes.update(run.outcomes)
                    by_play[run.play].update(run.outcomes)
                now += step
                done += 1
                if progress is not None:
                    progress(done, steps)
            raise _Rollback
    except _Rollback:
        pass
    return Simulation(start, end, sorted(played), list(weeks.values()), dict(by_play))
