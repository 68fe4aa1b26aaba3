"""The reference desk: requests by status with the fill-rate stats, the intake form, and a
request's page with ranked candidates (and why), offers, the call and its outcome.

Every action is a real POST form handled by the same services as the CLI and the API
(`advocacy.references.services`); refusals leave things as they were and say why.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.services import Excluded
from advocacy.pipeline.services import InvalidTransition
from advocacy.references import services as desk
from advocacy.references.invite import filename, invite
from advocacy.references.models import (
    ACTIVE_STATUSES,
    Offer,
    OfferStatus,
    ReferenceCall,
    ReferenceRequest,
    RequestStatus,
)
from advocacy.references.stats import desk_stats
from advocacy.references.times import offer_times, offered_times
from advocacy.web.htmx import render_page
from advocacy.web.reference_forms import (
    DeskFilterForm,
    OutcomeForm,
    RequestForm,
    RescheduleForm,
    ResultForm,
    ScheduleForm,
    TimesForm,
)
from advocacy.web.sorting import Columns, sorting
from advocacy.web.views.customers import paginate
from advocacy.web.views.engine import actor, policy_or_message

STATS_DAYS = 90
REQUESTS_PER_PAGE = 50
REQUEST_COLUMNS: Columns = {
    "needed_by": ["needed_by"],
    "filed": ["filed_at"],
    "prospect": [Lower("prospect_company")],
    "opportunity": [Lower("opportunity")],
    "status": ["status"],
}
REFUSED = (desk.DeskError, CapExceeded, Excluded, InvalidTransition)


@login_required
def desk_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = DeskFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    requests = ReferenceRequest.objects.select_related("requested_by")
    if status:
        requests = requests.filter(status=status)
    else:
        requests = requests.filter(status__in=ACTIVE_STATUSES)
    order = sorting(request, REQUEST_COLUMNS, "needed_by")
    page = paginate(request, order.apply(requests), REQUESTS_PER_PAGE)
    counts = dict(
        ReferenceRequest.objects.order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    context = {
        "section": "references",
        "form": form,
        "status": status,
        "order": order,
        "page": page,
        "requests": list(page.object_list),
        "counts": [(s, label, counts.get(s, 0)) for s, label in RequestStatus.choices],
        "stats": desk_stats(start=now - timedelta(days=STATS_DAYS), end=now, now=now),
        "stats_days": STATS_DAYS,
    }
    return render_page(request, "web/references/desk.html", context, partial="requests")


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = desk.file_request(
                form.data_for_service(), actor=actor(request), now=timezone.now()
            )
        except desk.DeskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Reference request {made.pk} filed.")
            return redirect("web:reference", pk=made.pk)
    status = 422 if request.method == "POST" else 200
    context = {"section": "references", "form": form}
    return render_page(request, "web/references/new.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ReferenceRequest.objects.select_related("requested_by"), pk=pk)
    offers = list(found.offers.select_related("contact", "contact__account", "ask"))
    calls = list(found.calls.select_related("contact").prefetch_related("requests"))
    accepted = next((o for o in offers if o.status == OfferStatus.ACCEPTED), None)
    live = next((o for o in offers if o.status == OfferStatus.OFFERED), None)
    candidates = []
    problem = ""
    if found.status == RequestStatus.OPEN:
        policy = policy_or_message(request)
        if policy is not None:
            candidates = desk.candidates(found, now=timezone.now(), policy=policy)
        else:
            problem = "The policy cannot be read."
    context = {
        "section": "references",
        "req": found,
        "offers": offers,
        "calls": calls,
        "live_offer": live,
        "schedulable": accepted if found.status == RequestStatus.OFFERED else None,
        "candidates": candidates,
        "problem": problem,
        "schedule_form": ScheduleForm(request=found, initial={"duration_minutes": 20}),
        "times_form": TimesForm(initial={"duration_minutes": 20}),
        "times": offered_times(accepted) if accepted is not None else [],
        "outcome_form": OutcomeForm(),
        "result_form": ResultForm(initial={"result": found.result}),
    }
    return render_page(request, "web/references/detail.html", context, partial="candidates")


def _errors(form: Any) -> str:
    return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())


def _done(request: HttpRequest, ok: bool, text: str, pk: int) -> HttpResponse:
    (messages.success if ok else messages.error)(request, text)
    return redirect("web:reference", pk=pk)


@login_required
@require_POST
def request_offer(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ReferenceRequest, pk=pk)
    contact = Contact.objects.filter(pk=request.POST.get("contact", "0") or 0).first()
    policy = policy_or_message(request)
    if contact is None or policy is None:
        return _done(request, False, "Not offered: choose a candidate.", pk)
    try:
        made = desk.offer(found, contact, actor=actor(request), now=timezone.now(), policy=policy)
    except REFUSED as exc:
        return _done(request, False, f"Not offered: {exc}.", pk)
    return _done(request, True, f"Offered to {contact.email} (ask {made.ask_id}).", pk)


@login_required
@require_POST
def offer_respond(request: HttpRequest, pk: int) -> HttpResponse:
    made = get_object_or_404(Offer.objects.select_related("request", "ask", "contact"), pk=pk)
    answer = request.POST.get("answer", "")
    policy = policy_or_message(request)
    if answer not in {"accept", "decline"} or policy is None:
        return _done(request, False, "Not recorded: answer accept or decline.", made.request_id)
    try:
        desk.respond(
            made, answer == "accept", actor=actor(request), now=timezone.now(), policy=policy,
            note=request.POST.get("note", "")[:2000],
        )  # fmt: skip
    except REFUSED as exc:
        return _done(request, False, f"Not recorded: {exc}.", made.request_id)
    word = "accepted" if answer == "accept" else "declined; the request is open again"
    return _done(request, True, f"{made.contact.email} {word}.", made.request_id)


@login_required
@require_POST
def offer_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    made = get_object_or_404(Offer.objects.select_related("request", "ask"), pk=pk)
    form = ScheduleForm(request.POST, request=made.request)
    if not form.is_valid():
        errors = _errors(form)
        return _done(request, False, f"Not scheduled: {errors}.", made.request_id)
    starts = form.cleaned_data["starts_at"]
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    try:
        call = desk.schedule_call(
            made, starts_at=starts, duration_minutes=form.cleaned_data["duration_minutes"],
            also=list(form.cleaned_data["also"]), actor=actor(request), now=timezone.now(),
        )  # fmt: skip
    except REFUSED as exc:
        return _done(request, False, f"Not scheduled: {exc}.", made.request_id)
    return _done(
        request, True, f"Call {call.pk} scheduled: the request is filled.", made.request_id
    )


@login_required
@require_POST
def offer_times_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer the advocate of an accepted offer times to choose from, in their portal."""
    made = get_object_or_404(Offer.objects.select_related("request", "ask"), pk=pk)
    form = TimesForm(request.POST)
    if not form.is_valid():
        return _done(request, False, f"No times offered: {_errors(form)}.", made.request_id)
    times = [t.replace(tzinfo=UTC) if t.tzinfo is None else t for t in form.times()]
    try:
        slots = offer_times(
            made, times, duration_minutes=form.cleaned_data["duration_minutes"],
            actor=actor(request), now=timezone.now(),
        )  # fmt: skip
    except REFUSED as exc:
        return _done(request, False, f"No times offered: {exc}.", made.request_id)
    text = f"{len(slots)} time(s) offered: the advocate chooses one in their portal."
    return _done(request, True, text, made.request_id)


@login_required
def call_invite(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(
        ReferenceCall.objects.select_related("contact__account", "organizer").prefetch_related(
            "requests__requested_by"
        ),
        pk=pk,
    )
    response = HttpResponse(invite(call, now=timezone.now()), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename(call)}"'
    return response


@login_required
@require_POST
def call_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a scheduled call; the invite goes again to everyone, with a higher SEQUENCE."""
    call = get_object_or_404(ReferenceCall, pk=pk)
    back = (
        int(request.POST.get("back", "0") or 0)
        or call.requests.values_list("pk", flat=True).first()
    )
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _done(request, False, f"Not moved: {_errors(form)}.", back or 0)
    starts = form.cleaned_data["starts_at"]
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    try:
        desk.reschedule_call(
            call, starts_at=starts, duration_minutes=form.cleaned_data["duration_minutes"],
            actor=actor(request), now=timezone.now(),
        )  # fmt: skip
    except REFUSED as exc:
        return _done(request, False, f"Not moved: {exc}.", back or 0)
    return _done(request, True, f"Call {call.pk} moved: the invite goes again.", back or 0)


@login_required
@require_POST
def call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(ReferenceCall, pk=pk)
    back = (
        int(request.POST.get("back", "0") or 0)
        or call.requests.values_list("pk", flat=True).first()
    )
    form = OutcomeForm(request.POST)
    policy = policy_or_message(request)
    if not form.is_valid() or policy is None:
        errors = _errors(form)
        return _done(request, False, f"Not recorded: {errors}.", back or 0)
    d = form.cleaned_data
    try:
        desk.record_outcome(
            call, d["outcome"], rating=d["rating"], notes=d["notes"], actor=actor(request),
            now=timezone.now(), policy=policy,
        )  # fmt: skip
    except REFUSED as exc:
        return _done(request, False, f"Not recorded: {exc}.", back or 0)
    return _done(request, True, f"Call {call.pk}: {call.get_outcome_display().lower()}.", back or 0)


@login_required
@require_POST
def request_result(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ReferenceRequest, pk=pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        return _done(request, False, "Not recorded: choose open, won or lost.", pk)
    desk.record_result(found, form.cleaned_data["result"], now=timezone.now())
    return _done(request, True, f"Opportunity {found.get_result_display().lower()}.", pk)


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ReferenceRequest, pk=pk)
    to = request.POST.get("to", "")
    try:
        desk.close_request(found, to, now=timezone.now())
    except REFUSED as exc:
        return _done(request, False, f"Not closed: {exc}.", pk)
    return _done(request, True, f"Request {pk} is now {found.get_status_display().lower()}.", pk)
