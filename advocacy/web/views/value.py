"""Value moments in the staff UI: each one's preview, its send (confirmed, run as a job), the
year in review of an advocate and of an account (HTML, PDF as a job), the weekly opt-in.
Every write is one call to advocacy.value."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Account, Contact
from advocacy.value import services, wrapped
from advocacy.value.jobs import start_send, start_wrapped_pdf
from advocacy.value.models import MomentKind, ValueMoment
from advocacy.value.services import MomentError
from advocacy.web.csp import standalone_document
from advocacy.web.views.engine import actor


def value_context(request: HttpRequest, contact: Contact | None = None) -> dict[str, object]:
    """What the contact and account pages show of value moments: the last year over, the
    person's weekly opt-in and whether this user may change it."""
    from advocacy.people.permissions import Action, allowed

    year = services.span_of("wrapped", None, now=timezone.now())
    found: dict[str, object] = {"wrapped_year": year.label}
    if contact is not None:
        found["weekly"] = services.weekly_of(contact)
        found["can_set_weekly"] = allowed(request.user, Action.VALUE_PREFERENCES)
    return found


def _kind(code: str) -> MomentKind:
    if code not in MomentKind.values:
        from django.http import Http404

        raise Http404(f"no such value moment: {code}")
    return MomentKind(code)


@login_required
def value_page(request: HttpRequest) -> HttpResponse:
    """Each value moment: who gets it, its last period over, how many have had it."""
    now = timezone.now()
    rows = []
    for kind in MomentKind:
        span = services.span_of(kind, None, now=now)
        rows.append(
            {
                "kind": kind,
                "span": span,
                "recipients": services.recipients(kind, span).count(),
                "sent": ValueMoment.objects.filter(kind=kind, period=span.label).count(),
                "sample": services.recipients(kind, span).first(),
            }
        )
    return render(request, "web/value/page.html", {"section": "value", "rows": rows})


@login_required
def value_preview(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The email this person gets for the period (default: the last one over)."""
    moment = _kind(kind)
    contact = get_object_or_404(Contact.objects.select_related("account__owner"), pk=pk)
    try:
        span = services.span_of(moment, request.GET.get("period") or None, now=timezone.now())
    except MomentError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    email = services.preview(moment, contact, span)
    context = {"section": "value", "kind": moment, "contact": contact, "span": span, "email": email}
    return render(request, "web/value/preview.html", context)


@login_required
def value_send(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: confirm; POST with confirm=yes: the send, as a job (its page shows the result)."""
    moment = _kind(kind)
    now = timezone.now()
    period = request.POST.get("period") or request.GET.get("period") or None
    try:
        span = services.span_of(moment, period, now=now)
    except MomentError as exc:
        messages.error(request, str(exc))
        return redirect("web:value")
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        context = {
            "section": "value",
            "kind": moment,
            "span": span,
            "recipients": services.recipients(moment, span).count(),
        }
        return render(request, "web/value/send.html", context)
    job = start_send(moment, span.label, now=now, actor=actor(request))
    return redirect("web:job", pk=job.pk)


def _year(request: HttpRequest, kind: str) -> object:
    return services.span_of(kind, request.GET.get("year") or None, now=timezone.now())


@login_required
def contact_wrapped(request: HttpRequest, pk: int) -> HttpResponse:
    """An advocate's year in review: the page itself (inline SVG charts, no script)."""
    get_object_or_404(Contact, pk=pk)
    try:
        span = services.span_of("wrapped", request.GET.get("year") or None, now=timezone.now())
    except MomentError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return standalone_document(wrapped.page("wrapped", pk, None, span))


@login_required
def account_wrapped(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Account, pk=pk)
    try:
        span = services.span_of(
            "account_wrapped", request.GET.get("year") or None, now=timezone.now()
        )
    except MomentError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return standalone_document(wrapped.page("account_wrapped", None, pk, span))


@login_required
@require_POST
def contact_wrapped_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Contact, pk=pk)
    return _pdf(request, "wrapped", pk, None, ("web:contact", pk))


@login_required
@require_POST
def account_wrapped_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Account, pk=pk)
    return _pdf(request, "account_wrapped", None, pk, ("web:account", pk))


def _pdf(
    request: HttpRequest,
    kind: str,
    contact: int | None,
    account: int | None,
    back: tuple[str, int],
) -> HttpResponse:
    try:
        job = start_wrapped_pdf(
            kind,
            contact,
            account,
            request.POST.get("year", ""),
            now=timezone.now(),
            actor=actor(request),
        )
    except MomentError as exc:
        messages.error(request, str(exc))
        return redirect(*back)
    return redirect("web:job", pk=job.pk)


@login_required
@require_POST
def contact_weekly(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn the person's weekly insights email on or off (the team's record of their wish)."""
    contact = get_object_or_404(Contact, pk=pk)
    on = request.POST.get("weekly") == "on"
    services.set_weekly(contact, on, now=timezone.now(), actor=actor(request), where="staff")
    messages.success(request, f"Weekly insights {'on' if on else 'off'} for {contact}.")
    return redirect("web:contact", pk=pk)
