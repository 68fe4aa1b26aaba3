"""The advocate's own settings and record: preferences, opting out, history, leaving."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.engine.preferences import PreferenceError, choices, preferences_of
from advocacy.engine.services import current_policy
from advocacy.pipeline.models import AskType
from advocacy.portal.account import leave_program, save_preferences
from advocacy.portal.forms import PreferencesForm
from advocacy.portal.history import history_of
from advocacy.portal.render import portal_render
from advocacy.portal.session import advocate_of, advocate_required, close_session
from advocacy.value.services import weekly_of


@require_http_methods(["GET", "POST"])
@advocate_required
def preferences(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    policy = current_policy()
    ask_types = list(AskType.objects.filter(active=True).order_by("name"))
    counts = choices(policy)
    if request.method == "POST":
        form = PreferencesForm(request.POST, ask_types=ask_types, counts=counts)
        if form.is_valid():
            try:
                save_preferences(contact, form.preferences(), policy=policy, now=timezone.now())
            except PreferenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Saved. We will ask only as you said.")
                return redirect("portal:preferences")
        status = 422
    else:
        initial = PreferencesForm.initial_for(preferences_of(contact), ask_types, counts)
        form = PreferencesForm(initial=initial, ask_types=ask_types, counts=counts)
        status = 200
    context = {
        "section": "preferences",
        "contact": contact,
        "form": form,
        "weekly": weekly_of(contact),
    }
    return portal_render(request, "portal/preferences.html", context, status=status)


@require_POST
@advocate_required
def opt_out(request: HttpRequest) -> HttpResponse:
    """Opt out in one click: every open ask cancelled, the agreement ended. No hard feelings."""
    contact = advocate_of(request)
    leave_program(contact, now=timezone.now())
    return portal_render(request, "portal/opted_out.html", {"section": "", "contact": contact})


@require_GET
@advocate_required
def history(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    context = {"section": "history", "contact": contact, **history_of(contact)}
    return portal_render(request, "portal/history.html", context)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """End the portal session (the staff login, if any, is not the portal's to end)."""
    close_session(request)
    return portal_render(request, "portal/left.html", {})
