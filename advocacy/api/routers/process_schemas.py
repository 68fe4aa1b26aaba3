"""Schemas of routing rules, checklist templates, an ask's steps and escalation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from advocacy.api.schemas import WHOLE, AsOfIn, bounded

Text = Annotated[str, bounded(100)]


class RoutingRuleIn(AsOfIn):
    """A rule: asks matching every non-empty criterion go to `owner`, else to the `role` pool."""

    name: Annotated[str, bounded(100, min_length=1)]
    position: Annotated[int, Field(ge=0, le=1_000_000), WHOLE] = Field(
        100, description="Lower positions win first"
    )
    enabled: bool = True
    ask_type: Annotated[str, bounded(50)] = Field("", description="An ask type code, or any")
    stage: Annotated[str, bounded(20)] = Field("", description="`relationship`, `packaging`")
    region: Annotated[str, bounded(10)] = Field("", description="`na`, `latam`, `emea`, `apac`")
    size_band: Annotated[str, bounded(20)] = Field(
        "", description="`smb`, `mid_market`, `enterprise`, `strategic`"
    )
    industry: Text = Field("", description="Matched case-blind")
    account_owner: Annotated[str, bounded(150)] = Field(
        "", description="Only accounts this username owns"
    )
    owner: Annotated[str, bounded(150)] = Field("", description="The username who gets the asks")
    role: Annotated[str, bounded(20)] = Field(
        "", description="The role pool: `admin`, `cs`, `sales`, `marketing`"
    )


class RoutingRuleOut(Schema):
    id: int
    position: int
    name: str
    enabled: bool
    ask_type: str | None
    stage: str
    region: str
    size_band: str
    industry: str
    account_owner: str | None
    owner: str | None
    owner_id: int | None
    role: str
    criteria: str = Field(description="The conditions in words")

    @staticmethod
    def resolve_ask_type(obj: Any) -> str | None:
        return obj.ask_type.code if obj.ask_type else None

    @staticmethod
    def resolve_account_owner(obj: Any) -> str | None:
        return obj.account_owner.get_username() if obj.account_owner else None

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.get_username() if obj.owner else None

    @staticmethod
    def resolve_criteria(obj: Any) -> str:
        return str(obj.criteria())


class RoutedOut(Schema):
    routed: int = Field(description="Open asks whose owner was set anew")


class StepIn(Schema):
    title: Annotated[str, bounded(200, min_length=1)]
    role: Annotated[str, bounded(20)] = Field("", description="Who does it: a role")
    text: Annotated[str, bounded(10_000)] = Field(
        "", description="Talking points, questions, a script outline or an email template"
    )
    status: Annotated[str, bounded(20)] = Field(
        "", description="Ticking the step moves the ask to this status"
    )


class TemplateIn(AsOfIn):
    steps: list[StepIn] = Field(description="The steps, in order")
    note: Annotated[str, bounded(200)] = ""


class TemplateStepOut(Schema):
    position: int
    title: str
    owner_role: str
    text: str
    requires_status: str


class TemplateSummaryOut(Schema):
    ask_type: str
    version: int | None = Field(description="The current version; null if none")
    steps: int


class TemplateOut(Schema):
    ask_type: str
    version: int
    note: str
    created_by_id: int | None
    created_at: datetime
    steps: list[TemplateStepOut]

    @staticmethod
    def resolve_ask_type(obj: Any) -> str:
        return str(obj.ask_type.code)

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class AskStepOut(TemplateStepOut):
    done_at: datetime | None
    done_by_id: int | None
    note: str


class TickIn(AsOfIn):
    note: Annotated[str, bounded(2000)] = Field("", description="Kept with the step: a link…")


class TickOut(Schema):
    step: AskStepOut
    moves: list[str] = Field(description="The statuses the ask moved through, in order")
    status: str = Field(description="The ask's status now")


class EscalateIn(AsOfIn):
    dry_run: bool = False
    hours: Annotated[int, Field(ge=0, le=100_000), WHOLE] | None = Field(
        None, description="Default: the setting"
    )


class EscalatedAskOut(Schema):
    id: int
    escalated_to: str | None


class EscalationOut(Schema):
    dry_run: bool
    grace_hours: int
    count: int
    asks: list[EscalatedAskOut]
