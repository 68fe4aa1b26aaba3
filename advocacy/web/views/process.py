"""Routing rules, checklist templates, an ask's checklist ticks and escalation, in the web UI.

Thin views: each parses a form, calls one service of advocacy.pipeline and renders or
redirects. Every action is a real POST form; with htmx the ask's checklist is swapped in place.
"""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.pipeline.checklists import (
    ChecklistError,
    complete_step,
    current_templates,
    parse_yaml_steps,
    save_template,
    template_steps,
)
from advocacy.pipeline.escalation import escalate_overdue, grace_hours
from advocacy.pipeline.models import Ask, AskStep, AskType, ChecklistTemplate, RoutingRule
from advocacy.pipeline.routing import RULE_FIELDS, reroute_open_asks, save_rule
from advocacy.web.htmx import render_page, wants_partial
from advocacy.web.views.engine import actor


class RuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = list(RULE_FIELDS)
        labels = {"ask_type": "Ask type", "size_band": "Size band", "role": "Role pool"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        for name in ("owner", "account_owner"):
            field = self.fields[name]
            field.queryset = users  # type: ignore[attr-defined]
            field.label_from_instance = lambda u: u.get_username()  # type: ignore[attr-defined]
        self.fields["ask_type"].empty_label = "Any"  # type: ignore[attr-defined]
        self.fields["account_owner"].empty_label = "Any"  # type: ignore[attr-defined]
        self.fields["owner"].empty_label = "Nobody: the role pool"  # type: ignore[attr-defined]


def _rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.select_related("ask_type", "owner", "account_owner"))


def _save(form: RuleForm, rule: RoutingRule | None) -> RoutingRule | None:
    """Save through the service; its errors land on the form."""
    if not form.is_valid():
        return None
    fields = {name: form.cleaned_data[name] for name in RULE_FIELDS}
    try:
        return save_rule(fields, now=timezone.now(), rule=rule)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def routing(request: HttpRequest) -> HttpResponse:
    """The rules, first to win first, and a form to add one (POST here)."""
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        saved = _save(form, None)
        if saved is not None:
            messages.success(request, f"Rule “{saved.name}” added.")
            return redirect("web:routing")
    context = {"section": "pipeline", "rules": _rules(), "form": form}
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/routing/list.html", context, status=status)


@login_required
def routing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        saved = _save(form, rule)
        if saved is not None:
            messages.success(request, f"Rule “{saved.name}” saved.")
            return redirect("web:routing")
    context = {"section": "pipeline", "rule": rule, "form": form}
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/routing/edit.html", context, status=status)


@login_required
@require_POST
def routing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=pk)
    rule.delete()
    messages.success(request, f"Rule “{rule.name}” removed.")
    return redirect("web:routing")


@login_required
@require_POST
def routing_apply(request: HttpRequest) -> HttpResponse:
    routed = reroute_open_asks(now=timezone.now(), actor=actor(request))
    messages.success(request, f"{len(routed)} open ask(s) routed anew.")
    return redirect("web:routing")


@login_required
def checklists(request: HttpRequest) -> HttpResponse:
    current = current_templates()
    rows = [(t, current.get(t.pk)) for t in AskType.objects.all()]
    context = {"section": "pipeline", "rows": rows}
    return render_page(request, "web/checklists/list.html", context)


class TemplateForm(forms.Form):
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=(
            "YAML: a list of steps, each with a title, a role (admin, cs, sales, marketing), "
            "an optional text and an optional status the step brings the ask to."
        ),
        max_length=200_000,
    )
    note = forms.CharField(required=False, max_length=200, label="Why it changed")


@login_required
def checklist(request: HttpRequest, code: str) -> HttpResponse:
    """One ask type's checklist (current or `?version=N`), and the form that saves a new one."""
    ask_type = get_object_or_404(AskType, code=code)
    versions = list(ask_type.checklist_templates.select_related("created_by"))
    wanted = request.GET.get("version", "")
    shown: ChecklistTemplate | None = versions[0] if versions else None
    if wanted.isdigit():
        shown = next((t for t in versions if t.version == int(wanted)), None)
        if shown is None:
            messages.error(request, f"{code} has no version {wanted}.")
            return redirect("web:checklist", code=code)
    initial = ""
    if shown is not None:
        steps = [s.as_dict() for s in template_steps(shown)]
        initial = yaml.safe_dump(steps, sort_keys=False, allow_unicode=True, width=100)
    form = TemplateForm(request.POST or None, initial={"steps": initial})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                specs = parse_yaml_steps(form.cleaned_data["steps"])
                template = save_template(
                    ask_type,
                    specs,
                    actor=actor(request),
                    now=timezone.now(),
                    note=form.cleaned_data["note"],
                )
            except ChecklistError as exc:
                form.add_error("steps", str(exc))
            else:
                messages.success(
                    request,
                    f"Version {template.version} saved: asks opened from now on use it; "
                    "running asks keep their steps.",
                )
                return redirect("web:checklist", code=code)
        status = 422
    context = {
        "section": "pipeline",
        "ask_type": ask_type,
        "versions": versions,
        "shown": shown,
        "steps": list(shown.steps.all()) if shown else [],
        "form": form,
    }
    return render_page(request, "web/checklists/detail.html", context, status=status)


@login_required
@require_POST
def ask_step_done(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Tick one step of an ask; a step requiring a status moves the ask there."""
    step = get_object_or_404(AskStep, ask_id=pk, position=position)
    note = request.POST.get("note", "")[:2000]
    notice, ok = "", False
    moves: list[str] = []
    try:
        _, moves = complete_step(step, actor=actor(request), now=timezone.now(), note=note)
    except ChecklistError as exc:
        notice = f"Not done: {exc}."
    else:
        ok = True
        notice = f"Step {position} done." + (f" The ask is now {moves[-1]}." if moves else "")
    if wants_partial(request) and not (ok and moves):
        context = {"ask": Ask.objects.get(pk=pk), "steps": ask_steps(pk)}
        context.update(notice=notice, notice_ok=ok)
        return render_page(request, "web/asks/checklist.html", context, partial="checklist")
    if wants_partial(request):  # the ask moved: the whole page changes, reload it
        messages.success(request, notice)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    (messages.success if ok else messages.error)(request, notice)
    return redirect("web:ask", pk=pk)


def ask_steps(ask_id: int) -> list[AskStep]:
    return list(AskStep.objects.filter(ask_id=ask_id).select_related("done_by"))


@login_required
@require_POST
def escalate(request: HttpRequest) -> HttpResponse:
    """Escalate the open asks overdue past the grace period now (the job does it hourly)."""
    result = escalate_overdue(now=timezone.now(), actor=actor(request))
    count = len(result.escalated)
    messages.success(
        request,
        f"{count} ask(s) escalated (overdue by more than {grace_hours()} h)."
        if count
        else f"No ask is overdue by more than {grace_hours()} h and not escalated yet.",
    )
    return redirect("web:pipeline")
