"""The rewards page: spend against the quarter's budget, redemptions to review and fulfil, the
tiers and the latest ledger entries. Every write is one call to advocacy.rewards.services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption, RedemptionStatus
from advocacy.rewards.policy import active_policy
from advocacy.rewards.services import RewardError, dollars
from advocacy.rewards.tiers import distribution, quarter_of
from advocacy.web.htmx import render_page

R = RedemptionStatus


@login_required
def rewards_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    quarter = request.GET.get("quarter") or quarter_of(now)
    try:
        spend = services.spend(quarter)
    except ValueError:
        quarter, spend = quarter_of(now), services.spend(quarter_of(now))
    policy = active_policy()
    counts = distribution(policy, now)
    open_ones = (
        Redemption.objects.select_related("contact__account")
        .filter(status__in=[R.HELD, R.REQUESTED])
        .order_by("status", "requested_at")[:200]
    )
    context = {
        "section": "rewards",
        "quarter": quarter,
        "spend": spend,
        "budget": dollars(spend.budget_cents) if spend.budget_cents is not None else None,
        "committed": dollars(spend.committed_cents),
        "fulfilled": dollars(spend.fulfilled_cents),
        "remaining": dollars(spend.remaining_cents) if spend.remaining_cents is not None else None,
        "policy": policy,
        "tiers": [(t, counts.get(t.level, 0)) for t in policy.tiers],
        "redemptions": open_ones,
        "entries": Entry.objects.select_related("contact").order_by("-at", "-id")[:50],
    }
    return render_page(request, "web/rewards/page.html", context, partial="redemptions")


def _redemption(pk: int) -> Redemption:
    return get_object_or_404(Redemption, pk=pk)


def _review(
    request: HttpRequest, act: Callable[[], object], failed: str, done: str
) -> HttpResponse:
    """Do one step of a redemption's review; its outcome as a message on the Rewards page."""
    try:
        act()
    except RewardError as exc:
        messages.error(request, f"{failed}: {exc}.")
    else:
        messages.success(request, done)
    return redirect("web:rewards")


@login_required
@require_POST
def redemption_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        lambda: services.release(_redemption(pk), actor=request.user, now=timezone.now()),
        "Not released",
        "Released: it waits for fulfilment.",
    )


@login_required
@require_POST
def redemption_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:300]
    return _review(
        request,
        lambda: services.refuse(_redemption(pk), reason, actor=request.user, now=timezone.now()),
        "Not refused",
        "Refused: the advocate's balance is restored.",
    )


@login_required
@require_POST
def redemption_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    delivered = request.POST.get("delivered", "")[:300]
    return _review(
        request,
        lambda: services.fulfil([pk], delivered, actor=request.user, now=timezone.now()),
        "Not fulfilled",
        "Fulfilled: recorded who delivered what.",
    )
