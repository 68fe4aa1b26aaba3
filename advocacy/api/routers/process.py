"""Routing rules, checklist templates, an ask's checklist and escalation (`asks:write`).

/api/routing-rules, /api/checklists/{ask_type}, /api/asks/{id}/checklist and
/api/asks/escalate. Thin: each endpoint calls one service of advocacy.pipeline.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.process_schemas import (
    AskStepOut,
    EscalateIn,
    EscalationOut,
    RoutedOut,
    RoutingRuleIn,
    RoutingRuleOut,
    TemplateIn,
    TemplateOut,
    TemplateSummaryOut,
    TickIn,
    TickOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOfIn, ErrorOut, as_of
from advocacy.pipeline.checklists import (
    StepSpec,
    ask_step,
    complete_step,
    current_templates,
    save_template,
)
from advocacy.pipeline.escalation import escalate_overdue
from advocacy.pipeline.models import Ask, AskStep, AskType, ChecklistTemplate, RoutingRule
from advocacy.pipeline.routing import reroute_open_asks, save_rule

router = ScopedRouter(tags=["routing and checklists"])
Id = Path(..., ge=1, le=MAX_ID)


def rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("ask_type", "owner", "account_owner")


def rule_fields(payload: RoutingRuleIn) -> dict[str, Any]:
    """The model fields a payload names; ValidationError (422) names each unknown reference."""
    data = payload.dict(exclude={"as_of"})
    fields: dict[str, Any] = {
        k: data[k] for k in data if k not in {"ask_type", "owner", "account_owner"}
    }
    errors: dict[str, str] = {}
    code = data["ask_type"]
    fields["ask_type"] = AskType.objects.filter(code=code).first() if code else None
    if code and fields["ask_type"] is None:
        errors["ask_type"] = f"no ask type {code!r}"
    users = get_user_model().objects
    for name in ("owner", "account_owner"):
        username = data[name]
        fields[name] = users.filter(username=username).first() if username else None
        if username and fields[name] is None:
            errors[name] = f"no user named {username!r}"
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return fields


@router.get("/routing-rules", response=list[RoutingRuleOut], operation_id="list_routing_rules")
def list_rules(request: HttpRequest) -> QuerySet[RoutingRule]:
    """Every routing rule, the first to win first."""
    return rules()


@router.post("/routing-rules", response={201: RoutingRuleOut}, operation_id="add_routing_rule")
def add_rule(request: HttpRequest, payload: RoutingRuleIn) -> Status[RoutingRule]:
    """Add a rule (201); 422 names what is wrong (a rule needs an owner or a role pool)."""
    rule = save_rule(rule_fields(payload), now=as_of(payload.as_of))
    return Status(201, rules().get(pk=rule.pk))


@router.put(
    "/routing-rules/{int:rule_id}", response=RoutingRuleOut, operation_id="edit_routing_rule"
)
def edit_rule(request: HttpRequest, payload: RoutingRuleIn, rule_id: int = Id) -> RoutingRule:
    """Replace a rule's fields; it applies to asks opened or handed off from now on."""
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    save_rule(rule_fields(payload), now=as_of(payload.as_of), rule=rule)
    return rules().get(pk=rule.pk)


@router.delete(
    "/routing-rules/{int:rule_id}", response={204: None}, operation_id="remove_routing_rule"
)
def remove_rule(request: HttpRequest, rule_id: int = Id) -> Status[None]:
    get_object_or_404(RoutingRule, pk=rule_id).delete()
    return Status(204, None)


@router.post("/routing-rules/apply", response=RoutedOut, operation_id="apply_routing_rules")
def apply_rules(request: HttpRequest, query: Query[AsOfIn]) -> dict[str, int]:
    """Route every open ask again by the rules as they are now (recorded now or `?as_of=`)."""
    routed = reroute_open_asks(now=as_of(query.as_of), actor=principal_of(request).user)
    return {"routed": len(routed)}


@router.get("/checklists", response=list[TemplateSummaryOut], operation_id="list_checklists")
def list_templates(request: HttpRequest) -> list[dict[str, Any]]:
    """Each ask type's current checklist version and its number of steps."""
    current = current_templates()
    return [
        {
            "ask_type": t.code,
            "version": current[t.pk].version if t.pk in current else None,
            "steps": current[t.pk].steps.count() if t.pk in current else 0,
        }
        for t in AskType.objects.all()
    ]


def _template(code: str, version: int | None) -> ChecklistTemplate:
    ask_type = get_object_or_404(AskType, code=code)
    templates = ChecklistTemplate.objects.filter(ask_type=ask_type).select_related("ask_type")
    if version is not None:
        return get_object_or_404(templates, version=version)
    template = templates.order_by("-version").first()
    if template is None:
        raise ChecklistTemplate.DoesNotExist(f"{code} has no checklist")
    return template


@router.get("/checklists/{code}", response=TemplateOut, operation_id="get_checklist")
def get_template(
    request: HttpRequest,
    code: str = Path(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$"),
    version: int | None = Query(None, ge=1, le=1_000_000),
) -> ChecklistTemplate:
    """An ask type's checklist: the current version, or `?version=N`."""
    return _template(code, version)


@router.put(
    "/checklists/{code}", response={200: TemplateOut, 409: ErrorOut}, operation_id="edit_checklist"
)
def edit_template(
    request: HttpRequest,
    payload: TemplateIn,
    code: str = Path(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$"),
) -> ChecklistTemplate:
    """Save the steps as the next version; running asks keep the steps they started with."""
    ask_type = get_object_or_404(AskType, code=code)
    steps = [StepSpec(s.title, s.role, s.text, s.status) for s in payload.steps]
    template = save_template(
        ask_type,
        steps,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        note=payload.note,
    )
    return _template(code, template.version)


@router.get(
    "/asks/{int:ask_id}/checklist", response=list[AskStepOut], operation_id="get_ask_checklist"
)
def ask_checklist(request: HttpRequest, ask_id: int = Id) -> QuerySet[AskStep]:
    """An ask's steps, in order, with who ticked each and when."""
    get_object_or_404(Ask, pk=ask_id)
    return AskStep.objects.filter(ask_id=ask_id)


@router.post(
    "/asks/{int:ask_id}/checklist/{int:position}",
    response={200: TickOut, 409: ErrorOut},
    operation_id="tick_ask_step",
)
def tick(
    request: HttpRequest,
    payload: TickIn,
    ask_id: int = Id,
    position: int = Path(..., ge=1, le=10_000),
) -> dict[str, Any]:
    """Mark a step done (200); a step that requires a status moves the ask there first.

    409 when the step is done already, the ask is closed, or the status is out of reach.
    """
    step = ask_step(ask_id, position)
    step, moves = complete_step(
        step, actor=principal_of(request).user, now=as_of(payload.as_of), note=payload.note
    )
    status = Ask.objects.values_list("status", flat=True).get(pk=ask_id)
    return {"step": step, "moves": moves, "status": status}


@router.post("/asks/escalate", response=EscalationOut, operation_id="escalate_overdue_asks")
def escalate(request: HttpRequest, payload: EscalateIn) -> dict[str, Any]:
    """Escalate open asks overdue past the grace period to their lead, once each."""
    result = escalate_overdue(
        now=as_of(payload.as_of),
        hours=payload.hours,
        dry_run=payload.dry_run,
        actor=principal_of(request).user,
    )
    return result.as_dict()
