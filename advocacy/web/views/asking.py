"""Asking by hand from the contact pages: Ask now (one contact), Ask the selected (a page of
the contacts list), and Nominate.

Thin views over the engine's services: `open_manual_ask` and `ask_many`, which pass through
`open_asks` like every ask, and `nominate`, which records a `csm_nomination` signal. A refusal
leaves nothing written and says why, with the engine's reason codes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.bulk import BULK_MAX, ask_many
from advocacy.engine.explain import next_best_asks
from advocacy.engine.services import OVERRIDE_HINT, Excluded, open_manual_ask
from advocacy.pipeline.models import AskType
from advocacy.signals.nominations import REASON_MAX, NominationRefused, nominate, nominations_of
from advocacy.web.htmx import render_page
from advocacy.web.views.engine import PolicyProblem, actor, policy_in_force, policy_or_message


def ask_type_choices(ready: set[str] | None = None) -> list[tuple[str, str]]:
    """Active ask types by name; those the contact is ready for first, marked."""
    types = list(AskType.objects.filter(active=True).order_by("name").values_list("code", "name"))
    if not ready:
        return types
    first = [(code, f"{name} (ready)") for code, name in types if code in ready]
    return first + [(code, name) for code, name in types if code not in ready]


class AskNowForm(forms.Form):
    ask_type = forms.ChoiceField(label="Ask for")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the ask: where you met, what you agreed.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ask_type"].choices = choices  # type: ignore[attr-defined]


class NominateForm(forms.Form):
    reason = forms.CharField(
        label="Why they are ready",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A win they told you about, a renewal, praise in a call. The plays that start "
        "from a nomination read it on their next run.",
    )


def _back(request: HttpRequest) -> str:
    """The list page the bulk form came from (its filters kept), if it is one of ours."""
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("web:contacts")


def _refusal_rows(exc: Exception) -> list[tuple[str, str]]:
    """(code, words) of an Excluded or CapExceeded, in the web's words."""
    if isinstance(exc, Excluded):
        return list(zip(exc.codes, exc.names, strict=True))
    assert isinstance(exc, CapExceeded)
    words = str(exc).removesuffix(OVERRIDE_HINT).strip()
    return [(exc.code, words)]


@login_required
def contact_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask now: open an ask of the type picked, by hand; the rules and the caps hold."""
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    now = timezone.now()
    try:
        policy = policy_in_force()
        explanation = next_best_asks(contact, now=now, policy=policy)
        ready = {o.code for o in explanation.options if o.ready}
    except PolicyProblem as exc:
        messages.error(request, str(exc))
        return redirect("web:contact", pk=contact.pk)
    form = AskNowForm(
        request.POST or None,
        choices=ask_type_choices(ready),
        initial={"ask_type": next(iter(sorted(ready)), "")},
    )
    refused: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        ask_type = AskType.objects.get(code=form.cleaned_data["ask_type"], active=True)
        try:
            ask = open_manual_ask(
                contact,
                ask_type,
                now=now,
                actor=actor(request),
                policy=policy,
                note=form.cleaned_data["note"],
            )
        except (Excluded, CapExceeded) as exc:
            refused, status = _refusal_rows(exc), 409
        else:
            messages.success(request, f"Asked {contact} for a {ask_type.name.lower()}.")
            return redirect("web:ask", pk=ask.pk)
    elif request.method == "POST":
        status = 422
    context = {
        "section": "contacts",
        "contact": contact,
        "account": contact.account,
        "form": form,
        "refused": refused,
        "ready_count": len(ready),
    }
    return render_page(request, "web/contacts/ask_now.html", context, status=status)


@login_required
def contact_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate the contact as an advocate, with the reason."""
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    form = NominateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            nominate(
                contact,
                reason=form.cleaned_data["reason"],
                actor=actor(request),
                now=timezone.now(),
            )
        except NominationRefused as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, f"{contact} nominated. The plays read it on their next run.")
            return redirect("web:contact", pk=contact.pk)
    if request.method == "POST":
        status = 422
    context = {
        "section": "contacts",
        "contact": contact,
        "account": contact.account,
        "form": form,
        "nominations": nominations_of(contact)[:20],
    }
    return render_page(request, "web/contacts/nominate.html", context, status=status)


@login_required
@require_POST
def contacts_ask(request: HttpRequest) -> HttpResponse:
    """Ask the selected: one ask type for every contact ticked on the contacts list."""
    ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("contact") if v.isdigit()))
    code = request.POST.get("ask_type", "")
    ask_type = AskType.objects.filter(code=code, active=True).first()
    problems = []
    if not ids:
        problems.append("Tick at least one contact to ask.")
    if len(ids) > BULK_MAX:
        problems.append(f"At most {BULK_MAX} contacts at once; {len(ids)} were ticked.")
    if ask_type is None:
        problems.append("Pick what to ask for.")
    policy = policy_or_message(request) if not problems else None
    if problems or policy is None or ask_type is None:
        for problem in problems:
            messages.error(request, problem)
        return redirect(_back(request))
    contacts = list(Contact.objects.filter(pk__in=ids).select_related("account"))
    result = ask_many(
        contacts,
        ask_type,
        now=timezone.now(),
        actor=actor(request),
        policy=policy,
        note=request.POST.get("note", "")[:2000],
    )
    by_id = {c.pk: c for c in contacts}
    context = {
        "section": "contacts",
        "ask_type": ask_type,
        "opened": [(a, by_id[a.contact_id]) for a in result.opened],
        "refused": [(r, by_id[r.contact_id]) for r in result.refused],
        "back": _back(request),
    }
    return render_page(request, "web/contacts/asked.html", context)
