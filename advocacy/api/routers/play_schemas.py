"""Schemas of plays, their decisions, runs and simulations."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StringConstraints, model_validator

from advocacy.api.schemas import AsOf, Day
from advocacy.engine.models import Outcome
from advocacy.engine.solicitation import solicitation_warning

MAX_SIMULATION_DAYS = 366
PLAY_NAME_PATTERN = r"^[-a-zA-Z0-9_]+$"
PlayName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=PLAY_NAME_PATTERN)
]


class OutcomeCounts(Schema):
    """How many decisions had each outcome."""

    asked: int
    held_out: int
    blocked_cap: int
    blocked_exclusion: int
    not_eligible: int
    not_in_audience: int
    already_open: int
    held_for_approval: int


def outcome_counts(obj: Any) -> dict[str, int]:
    """The `n_<outcome>` annotations of a play (see the plays router) as OutcomeCounts."""
    return {o: getattr(obj, f"n_{o}") for o in Outcome.values}


class PlayOut(Schema):
    name: str
    title: str
    source_file: str
    enabled: bool
    ask: str = Field(description="The ask type code the play opens")
    trigger: str = Field(description="The signal kind that triggers it")
    holdout: float = Field(description="Share of candidates kept as a control group")
    loaded_at: datetime
    last_run_at: datetime | None
    decisions: OutcomeCounts
    site: str = Field("", description="The review site a review play invites to, if it names one")
    warnings: list[str] = Field(
        description="What the play may do but should not, e.g. invite only promoters to a review"
        " site whose guidelines forbid it (ADVOCACY_REVIEW_SITES)"
    )

    @staticmethod
    def resolve_site(obj: Any) -> str:
        return str(obj.definition.get("site", ""))

    @staticmethod
    def resolve_warnings(obj: Any) -> list[str]:
        warning = solicitation_warning(obj.definition)
        return [] if warning is None else [warning.message]

    @staticmethod
    def resolve_ask(obj: Any) -> str:
        return str(obj.definition["ask"])

    @staticmethod
    def resolve_trigger(obj: Any) -> str:
        return str(obj.definition["trigger"]["signal"])

    @staticmethod
    def resolve_holdout(obj: Any) -> float:
        return float(obj.definition.get("holdout", 0))

    @staticmethod
    def resolve_decisions(obj: Any) -> dict[str, int]:
        return outcome_counts(obj)


class PlayDetailOut(PlayOut):
    definition: dict[str, Any] = Field(description="The play as loaded from its YAML file")


class DecisionOut(Schema):
    id: int
    contact_id: int
    email: str
    outcome: Outcome
    code: str = Field(
        description="The reason code that decided it: asked, held_out, or what refused it"
    )
    reasons: list[str]
    moment: str = Field(description="The triggering moment: `signal:<id>`")
    trigger_signal_id: int | None
    decided_at: datetime
    ask_id: int | None

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)


class DecisionFilters(Schema):
    outcome: Outcome | None = None


class PlayErrorOut(Schema):
    file: str
    line: int
    field: str
    message: str


class PlaybookErrorOut(Schema):
    """The playbook was refused: nothing was loaded. `errors` names file, line and field."""

    detail: str
    errors: list[PlayErrorOut] = Field(default_factory=list)


class LoadOut(Schema):
    plays: list[str] = Field(description="The names of the plays loaded, enabled or not")


class RunIn(Schema):
    """Evaluate the enabled plays (or the named ones) as of now (or `as_of`)."""

    as_of: AsOf | None = Field(None, description="Evaluate as of this moment (default: now)")
    plays: list[PlayName] = Field(default_factory=list, max_length=100)
    incremental: bool = Field(False, description="Only signals that arrived since the last run")


class PlayRunOut(OutcomeCounts):
    play: str
    considered: int


class RunOut(Schema):
    as_of: datetime
    plays: list[PlayRunOut]


class SimulationQuery(Schema):
    start: Day = Field(..., alias="from", description="First day (2026-01-01)")
    end: Day = Field(..., alias="to", description="Last day, included (2026-03-31)")
    play: list[PlayName] = Field(
        default_factory=list, max_length=100, description="Only these plays (repeatable)"
    )

    @model_validator(mode="after")
    def _check(self) -> SimulationQuery:
        if self.end < self.start:
            raise ValueError(f"`to` ({self.end}) comes before `from` ({self.start})")
        days = (self.end - self.start).days + 1
        if days > MAX_SIMULATION_DAYS:
            raise ValueError(
                f"a simulation covers at most {MAX_SIMULATION_DAYS} days, found {days}"
            )
        return self

    def period(self) -> tuple[datetime, datetime]:
        """From the start of `from` to the end of `to`, in the configured time zone."""
        return (
            timezone.make_aware(datetime.combine(self.start, time.min)),
            timezone.make_aware(datetime.combine(self.end, time(23, 59, 59))),
        )
