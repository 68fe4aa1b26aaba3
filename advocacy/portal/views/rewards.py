"""The advocate's rewards: their balance, their tier and why, and choosing a reward."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advocacy.customers.models import Contact
from advocacy.portal.render import portal_render
from advocacy.portal.session import advocate_of, advocate_required
from advocacy.portal.views.badge import badge_context
from advocacy.rewards import services
from advocacy.rewards.models import RewardType
from advocacy.rewards.policy import active_policy, charities
from advocacy.rewards.services import RewardError, dollars
from advocacy.rewards.tiers import standings


def _cents(text: str) -> int | None:
    try:
        amount = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        return None
    return int(amount * 100) if amount.is_finite() else None


@require_http_methods(["GET", "POST"])
@advocate_required
def rewards(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    now = timezone.now()
    status = 200
    error = ""
    if request.method == "POST":
        cents = _cents(request.POST.get("amount", "")[:20])
        kind = request.POST.get("reward_type", "")[:30]
        charity = request.POST.get("charity", "")[:50] if kind == RewardType.DONATION else ""
        try:
            if cents is None:
                raise RewardError("give the amount in dollars, such as 100")
            made = services.redeem(contact, cents, kind, charity=charity, actor=None, now=now)
        except RewardError as exc:
            error, status = str(exc), 422
        else:
            held = " We will look at it and be in touch." if made.held_reason else ""
            messages.success(
                request,
                f"Thank you: your {made.get_reward_type_display().lower()} is on its way.{held}",
            )
            return redirect("portal:rewards")
    policy = active_policy()
    (standing,) = standings(Contact.objects.filter(pk=contact.pk), policy, now)
    context = {
        "section": "rewards",
        "contact": contact,
        "balance": dollars(services.balance(contact, now)),
        "standing": standing,
        "tier": policy.tiers[standing.level - 1] if standing.level else None,
        "types": RewardType.choices,
        "charities": charities(),
        "error": error,
        "redemptions": contact.redemptions.order_by("-requested_at")[:20],
        **badge_context(contact),
    }
    return portal_render(request, "portal/rewards.html", context, status=status)
