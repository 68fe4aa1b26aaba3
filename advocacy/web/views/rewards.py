"""The rewards page: spend against the quarter's budget, redemptions to review and fulfil, the
tiers and the latest ledger entries. Every write is one call to advocacy.rewards.services."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption, RedemptionStatus, RewardType
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
        "bars": _bars(spend),
        "reward_types": RewardType.choices,
        "policy": policy,
        "tiers": [(t, counts.get(t.level, 0)) for t in policy.tiers],
        "redemptions": open_ones,
        "entries": Entry.objects.select_related("contact").order_by("-at", "-id")[:50],
    }
    return render_page(request, "web/rewards/page.html", context, partial="redemptions")


def _bars(spend: services.Spend) -> list[tuple[str, str, int, int]]:
    """(label, dollars, width in percent of the larger of budget and committed, cents) per bar."""
    top = max(spend.budget_cents or 0, spend.committed_cents, 1)
    rows = [("Committed", spend.committed_cents), ("Fulfilled", spend.fulfilled_cents)]
    if spend.budget_cents is not None:
        rows.insert(0, ("Budget", spend.budget_cents))
    return [(label, dollars(c), round(100 * c / top), c) for label, c in rows]


def _cents(text: str) -> int:
    """Dollars as typed (100, $99.50, 1,000) in cents; RewardError naming what was found."""
    try:
        amount = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise RewardError(f"expected an amount in dollars (100 or 99.50), found {text!r}") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise RewardError(f"expected an amount in dollars and cents, found {text!r}")
    return int(amount * 100)


def _contact(email: str) -> Contact:
    found = Contact.objects.filter(email__iexact=email.strip()).first()
    if found is None:
        raise RewardError(f"no contact with the address {email.strip()!r}")
    return found


def _back(request: HttpRequest) -> HttpResponse:
    quarter = request.POST.get("quarter", "")
    url = redirect("web:rewards").url
    return redirect(f"{url}?quarter={quarter}" if quarter else url)


@login_required
@require_POST
def rewards_budget(request: HttpRequest) -> HttpResponse:
    """Set a quarter's budget."""
    quarter = request.POST.get("quarter", "")[:10]
    try:
        services.set_budget(
            quarter,
            _cents(request.POST.get("amount", "")[:30]),
            actor=request.user,
            now=timezone.now(),
        )
    except (RewardError, ValueError) as exc:
        messages.error(request, f"Budget not set: {exc}.")
    else:
        messages.success(request, f"Budget for {quarter} set.")
    return _back(request)


@login_required
def rewards_process(request: HttpRequest) -> HttpResponse:
    """Run a quarter's tier rewards: a GET asks to confirm, the POST runs it."""
    # Without one, the quarter the Rewards page links to: the current one.
    named = request.POST.get("quarter") or request.GET.get("quarter")
    quarter = named[:10] if named else quarter_of(timezone.now())
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(
            request, "web/rewards/process.html", {"section": "rewards", "quarter": quarter}
        )
    try:
        done = services.process_quarter(quarter, actor=request.user, now=timezone.now())
    except (RewardError, ValueError) as exc:
        messages.error(request, f"Not processed: {exc}.")
    else:
        plural = "" if done.credited == 1 else "s"
        messages.success(
            request,
            f"{done.quarter} processed: {done.credited} tier reward{plural} credited; "
            f"{done.waiting} redemptions await fulfilment.",
        )
    return _back(request)


@login_required
@require_POST
def rewards_credit(request: HttpRequest) -> HttpResponse:
    """Credit an advocate by hand, with the reason."""
    post = request.POST
    try:
        entry = services.credit(
            _contact(post.get("email", "")[:254]),
            _cents(post.get("amount", "")[:30]),
            post.get("reason", "")[:300],
            actor=request.user,
            now=timezone.now(),
        )
    except RewardError as exc:
        messages.error(request, f"Not credited: {exc}.")
    else:
        messages.success(request, f"Credited {dollars(entry.amount_cents)} to {entry.contact}.")
    return _back(request)


@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse a ledger entry: a GET asks to confirm (and for the reason), the POST does it."""
    entry = get_object_or_404(Entry.objects.select_related("contact"), pk=pk)
    reason = request.POST.get("reason", "")[:300]
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "web/rewards/reverse.html", {"section": "rewards", "entry": entry})
    try:
        services.reverse(entry, reason, actor=request.user, now=timezone.now())
    except RewardError as exc:
        messages.error(request, f"Not reversed: {exc}.")
    else:
        messages.success(
            request, f"Reversed: {dollars(entry.amount_cents)} taken back from {entry.contact}."
        )
    return redirect("web:rewards")


@login_required
@require_POST
def rewards_redeem(request: HttpRequest) -> HttpResponse:
    """Redeem part of an advocate's balance for them (held for review when unusual)."""
    post = request.POST
    try:
        made = services.redeem(
            _contact(post.get("email", "")[:254]),
            _cents(post.get("amount", "")[:30]),
            post.get("reward_type", "")[:30],
            charity=post.get("charity", "")[:50],
            actor=request.user,
            now=timezone.now(),
        )
    except RewardError as exc:
        messages.error(request, f"Not redeemed: {exc}.")
    else:
        held = f", held for review: {made.held_reason}" if made.held_reason else ""
        messages.success(
            request, f"Redeemed {dollars(made.amount_cents)} for {made.contact}{held}."
        )
    return _back(request)


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
