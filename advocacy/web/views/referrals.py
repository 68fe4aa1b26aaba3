"""The referrals page: the list with a status filter, a referral with its moves and the move
form (closed lost asks to confirm), and recording a referral for an advocate. Every write is one
call to advocacy.referrals.services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.customers.models import Contact
from advocacy.referrals import services
from advocacy.referrals.display import dollars, link_of
from advocacy.referrals.models import MOVES, Referral, ReferralStatus, Via
from advocacy.referrals.services import Prospect, ReferralError
from advocacy.web.htmx import render_page

S = ReferralStatus


@login_required
def referrals_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in S.values else ""
    found = Referral.objects.select_related("advocate__account")
    if status:
        found = found.filter(status=status)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {
        "section": "referrals",
        "statuses": S.choices,
        "status": status,
        "page": page,
        **_link_of(request.GET.get("advocate", "")[:254]),
    }
    return render_page(request, "web/referrals/list.html", context, partial="rows")


def _link_of(email: str) -> dict[str, object]:
    """An advocate's code and link, looked up by their email (given on first asking)."""
    email = email.strip().lower()
    if not email:
        return {}
    advocate = Contact.objects.filter(email=email).first()
    if advocate is None:
        return {"link_email": email, "link_error": f"No contact with email {email}."}
    code = services.code_for(advocate, now=timezone.now())
    return {
        "link_email": email,
        "link_advocate": advocate,
        "link_code": code,
        "link": link_of(code),
    }


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("advocate__account"), pk=pk)
    context = {
        "section": "referrals",
        "referral": referral,
        "deal": dollars(referral.deal_cents),
        "events": referral.events.select_related("actor"),
        "moves": [(s, S(s).label) for s in S.values if s in MOVES[referral.status]],
        "bonuses": referral.reward_entries.order_by("at", "id"),
        "code": services.code_for(referral.advocate, now=timezone.now()),
    }
    context["link"] = link_of(str(context["code"]))
    return render(request, "web/referrals/detail.html", context)


def _cents(text: str) -> int | None:
    text = text.strip().lstrip("$").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ReferralError(
            f"the deal's amount is dollars, such as 150000; found {text!r}"
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= 10**12:
        raise ReferralError(f"the deal's amount is dollars, such as 150000; found {text!r}")
    return int(amount * 100)


@login_required
@require_http_methods(["GET", "POST"])
def referral_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a referral; closed lost is final, so its POST first shows a confirmation."""
    referral = get_object_or_404(Referral.objects.select_related("advocate"), pk=pk)
    if request.method != "POST":
        return redirect("web:referral", pk=pk)
    post = request.POST
    to = post.get("to", "")[:20]
    note = post.get("note", "")[:500]
    if to == S.CLOSED_LOST and post.get("confirm") != "yes":
        context = {"section": "referrals", "referral": referral, "note": note}
        return render(request, "web/referrals/confirm_lost.html", context)
    try:
        done = services.move(
            referral,
            to,
            deal_cents=_cents(post.get("deal", "")[:30]),
            note=note,
            actor=request.user,
            now=timezone.now(),
        )
    except ReferralError as exc:
        messages.error(request, f"Not moved: {exc}.")
    else:
        messages.success(request, f"{done.prospect_name}: now {done.get_status_display().lower()}.")
    return redirect("web:referral", pk=pk)


@login_required
@require_POST
def referral_new(request: HttpRequest) -> HttpResponse:
    """Record a referral an advocate told the team about."""
    post = request.POST
    email = post.get("advocate", "").strip().lower()[:254]
    advocate = Contact.objects.filter(email=email).first()
    if advocate is None:
        messages.error(request, f"Not recorded: no contact with email {email!r}.")
        return redirect("web:referrals")
    prospect = Prospect(
        name=post.get("name", "")[:200],
        email=post.get("email", "")[:254],
        company=post.get("company", "")[:200],
        website=post.get("website", "")[:255],
        title=post.get("title", "")[:200],
        note=post.get("note", "")[:2000],
    )
    try:
        made = services.submit(
            advocate, prospect, via=Via.STAFF, actor=request.user, now=timezone.now()
        )
    except ReferralError as exc:
        messages.error(request, f"Not recorded: {exc}.")
        return redirect("web:referrals")
    messages.success(request, f"Referral of {made.prospect_name} recorded for {advocate}.")
    return redirect("web:referral", pk=made.pk)
