"""The advocate's asks: what is asked of them, their answers, and the time of their call."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from advocacy.engine.services import current_policy
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.slots import AskSlot
from advocacy.portal import answers
from advocacy.portal.approvals import awaiting
from advocacy.portal.cards import cards
from advocacy.portal.forms import ReasonForm
from advocacy.portal.render import portal_render
from advocacy.portal.session import advocate_of, advocate_required
from advocacy.references.services import DeskError
from advocacy.references.times import choose_time


def _own_ask(request: HttpRequest, pk: int) -> Ask:
    """One of the advocate's own asks; any other (or none) is 404, so ids reveal nothing."""
    return get_object_or_404(
        Ask.objects.select_related("ask_type", "contact"), pk=pk, contact=advocate_of(request)
    )


@require_GET
@advocate_required
def home(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    now = timezone.now()
    in_progress = list(
        Ask.objects.filter(contact=contact, status__in=[AskStatus.ACCEPTED, AskStatus.SCHEDULED])
        .select_related("ask_type")
        .order_by("due_at", "opened_at", "pk")
    )
    alternatives = answers.alternatives(contact)
    declined = answers.declined_of(alternatives)
    context = {
        "section": "asks",
        "contact": contact,
        "open": cards(answers.answerable(contact), now=now),
        "alternatives": [(card, declined.get(card.pk)) for card in cards(alternatives, now=now)],
        "in_progress": cards(in_progress, now=now),
        "content_waiting": len(awaiting(contact)),
        "reason_form": ReasonForm(),
    }
    return portal_render(request, "portal/home.html", context)


@require_POST
@advocate_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or Decline (the button pressed), with an optional word for the owner."""
    ask = _own_ask(request, pk)
    choice = request.POST.get("answer", "")
    form = ReasonForm(request.POST)
    if choice not in ("accept", "decline") or not form.is_valid():
        return HttpResponseBadRequest("answer with accept or decline")
    now, said = timezone.now(), form.cleaned_data["reason"]
    name = ask.ask_type.name.lower()
    target = reverse("portal:home")
    try:
        if choice == "accept":
            answers.accept(ask, now=now, policy=current_policy(), note=said)
            messages.success(request, f"Thank you! You accepted the {name}. We'll be in touch.")
            target += f"#ask-{ask.pk}"
        else:
            alternative = answers.decline(ask, now=now, policy=current_policy(), reason=said)
            if alternative is not None:
                messages.info(
                    request,
                    f"You declined the {name}: no hard feelings. Would something else work "
                    "instead? It is below.",
                )
                target += f"#ask-{alternative.pk}"
            else:
                messages.info(request, f"You declined the {name}: no hard feelings.")
    except answers.AnswerRefused:
        messages.error(request, f"The {name} was already answered or withdrawn: nothing changed.")
    return redirect(target)


@require_POST
@advocate_required
def alternative(request: HttpRequest, pk: int) -> HttpResponse:
    ask = _own_ask(request, pk)
    choice = request.POST.get("answer", "")
    if choice not in ("yes", "no"):
        return HttpResponseBadRequest("answer with yes or no")
    name = ask.ask_type.name.lower()
    try:
        answers.answer_alternative(ask, choice == "yes", now=timezone.now())
    except answers.AnswerRefused:
        messages.error(request, f"The {name} is no longer open: nothing changed.")
    else:
        if choice == "yes":
            messages.success(request, f"Thank you! You said yes to the {name}.")
        else:
            messages.info(request, "No problem: nothing else is planned for now.")
    return redirect(reverse("portal:home") + (f"#ask-{ask.pk}" if choice == "yes" else ""))


@require_POST
@advocate_required
def choose(request: HttpRequest, pk: int) -> HttpResponse:
    """The advocate picks the time of their reference call from the times offered."""
    ask = _own_ask(request, pk)
    raw = request.POST.get("time", "")
    if not raw.isdigit():
        return HttpResponseBadRequest("choose one of the times offered")
    slot = get_object_or_404(AskSlot, pk=int(raw), ask=ask)
    try:
        call = choose_time(slot, now=timezone.now())
    except DeskError as exc:
        messages.error(request, f"That time could not be booked: {exc}.")
    else:
        when = timezone.localtime(call.starts_at)
        messages.success(
            request, f"Booked: your call is on {when:%A %d %B at %H:%M %Z}. An invite will follow."
        )
    return redirect(reverse("portal:home") + f"#ask-{ask.pk}")
