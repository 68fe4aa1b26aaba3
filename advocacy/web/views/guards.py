"""Pausing and reassigning asks, agreements and opt-out in the staff UI.

Every action is a real POST form validated by the same service the CLI and API call; it
redirects back (to the ask or contact page) with a message saying what happened or why not.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.guards import (
    LEFT,
    Candidate,
    ReassignRefused,
    reassign_ask,
    suggest_replacements,
)
from advocacy.engine.services import Excluded
from advocacy.pipeline.agreement_services import (
    AgreementError,
    create_agreement,
    end_agreement,
    opt_out,
    update_agreement,
)
from advocacy.pipeline.agreements import Agreement, AgreementStatus
from advocacy.pipeline.models import OPEN_STATUSES, Ask, AskType
from advocacy.pipeline.pausing import PauseRefused, pause_ask, resume_ask
from advocacy.pipeline.services import InvalidTransition
from advocacy.web.htmx import render_page
from advocacy.web.views.engine import actor, policy_or_message


def guard_context(ask: Ask, policy: Any) -> dict[str, Any]:
    """What the ask page shows about pausing: the replacements when the advocate left."""
    suggested: list[Candidate] = []
    if ask.status in OPEN_STATUSES and ask.paused_by == LEFT and policy is not None:
        suggested = suggest_replacements(ask, now=timezone.now(), policy=policy)
    return {"replacements": suggested, "can_pause": ask.status in OPEN_STATUSES}


@login_required
@require_POST
def ask_pause(request: HttpRequest, pk: int) -> HttpResponse:
    ask = get_object_or_404(Ask, pk=pk)
    try:
        pause_ask(
            ask, request.POST.get("reason", "")[:300], actor=actor(request), now=timezone.now()
        )
    except PauseRefused as exc:
        messages.error(request, f"Not paused: {exc}.")
    else:
        messages.success(request, f"Ask {ask.pk} paused: {ask.paused_reason}.")
    return redirect("web:ask", pk=ask.pk)


@login_required
@require_POST
def ask_resume(request: HttpRequest, pk: int) -> HttpResponse:
    ask = get_object_or_404(Ask, pk=pk)
    try:
        resume_ask(
            ask, actor=actor(request), now=timezone.now(), note=request.POST.get("note", "")[:300]
        )
    except PauseRefused as exc:
        messages.error(request, f"Not resumed: {exc}.")
    else:
        messages.success(request, f"Ask {ask.pk} resumed.")
    return redirect("web:ask", pk=ask.pk)


@login_required
@require_POST
def ask_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the ask and open it for the chosen colleague; caps and exclusions hold."""
    ask = get_object_or_404(Ask.objects.select_related("contact__account", "ask_type"), pk=pk)
    chosen = request.POST.get("contact", "")
    replacement = Contact.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    policy = policy_or_message(request)
    if replacement is None or policy is None:
        if replacement is None:
            messages.error(request, "Not reassigned: choose a colleague from the suggestions.")
        return redirect("web:ask", pk=ask.pk)
    try:
        done = reassign_ask(
            ask,
            replacement,
            actor=actor(request),
            now=timezone.now(),
            policy=policy,
            note=request.POST.get("note", "")[:300],
        )
    except (ReassignRefused, InvalidTransition, CapExceeded, Excluded) as exc:
        messages.error(request, f"Not reassigned: {exc}.")
        return redirect("web:ask", pk=ask.pk)
    messages.success(
        request, f"Ask {ask.pk} cancelled; ask {done.new.pk} opened for {replacement} for review."
    )
    return redirect("web:ask", pk=done.new.pk)


class AgreementForm(forms.Form):
    scope = forms.MultipleChoiceField(
        label="Scope: the asks agreed to", required=False, widget=forms.CheckboxSelectMultiple
    )
    benefits = forms.CharField(
        label="Benefits", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label="Term starts", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label="Term ends",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: until ended.",
    )
    signed_on = forms.DateField(
        label="Signed on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A signed agreement is active; without a date it stays a draft.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = AskType.objects.filter(active=True).order_by("code").values_list("code", "name")
        self.fields["scope"].choices = list(types)  # type: ignore[attr-defined]


@login_required
def contact_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or edit the contact's current agreement; errors are shown beside their field."""
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    current = Agreement.objects.current().filter(contact=contact).first()
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["status"] = AgreementStatus.ACTIVE if data["signed_on"] else AgreementStatus.DRAFT
            try:
                if current is None:
                    create_agreement(contact, actor=actor(request), now=timezone.now(), **data)
                else:
                    update_agreement(current, actor=actor(request), now=timezone.now(), **data)
            except AgreementError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, "Agreement saved.")
                return redirect("web:contact", pk=contact.pk)
        status = 422
    elif current is not None:
        form = AgreementForm(
            initial={
                "scope": current.scope,
                "benefits": current.benefits,
                "starts_on": current.starts_on,
                "ends_on": current.ends_on,
                "signed_on": current.signed_on,
            }
        )
    else:
        form = AgreementForm(initial={"starts_on": timezone.localdate()})
    context = {
        "section": "contacts",
        "contact": contact,
        "current": current,
        "form": form,
        "history": list(contact.agreements.all()),
    }
    return render_page(request, "web/agreements/edit.html", context, status=status)


@login_required
@require_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    try:
        end_agreement(
            agreement,
            actor=actor(request),
            now=timezone.now(),
            reason=request.POST.get("reason", "")[:300],
        )
    except AgreementError as exc:
        messages.error(request, f"Not ended: {exc}.")
    else:
        messages.success(request, "Agreement ended.")
    return redirect("web:contact", pk=agreement.contact_id)


@login_required
@require_POST
def contact_opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the opt-out: every open ask cancelled and the agreement ended, at once."""
    contact = get_object_or_404(Contact, pk=pk)
    result = opt_out(
        contact,
        now=timezone.now(),
        actor=actor(request),
        reason=request.POST.get("reason", "")[:300],
    )
    if result.already:
        messages.success(request, f"{contact} had already opted out; nothing changed.")
    else:
        messages.success(
            request,
            f"{contact} opted out: {len(result.cancelled)} open ask(s) cancelled, "
            f"{len(result.agreements_ended)} agreement(s) ended.",
        )
    return redirect("web:contact", pk=contact.pk)
