"""The advocate's referrals: their own link and code, a form to refer a peer, and how each
referral they made is going."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advocacy.portal.render import portal_render
from advocacy.portal.session import advocate_of, advocate_required
from advocacy.portal.views.refer import prospect_from
from advocacy.referrals.display import link_of, sentence
from advocacy.referrals.models import Via
from advocacy.referrals.policy import active
from advocacy.referrals.services import ReferralError, code_for, submit
from advocacy.rewards.services import dollars

FORM_FIELDS = ("name", "email", "company", "website", "title", "note")


@require_http_methods(["GET", "POST"])
@advocate_required
def referrals(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    now = timezone.now()
    status, error = 200, ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FORM_FIELDS}
        try:
            made = submit(contact, prospect_from(values), via=Via.PORTAL, actor=None, now=now)
        except ReferralError as exc:
            error, status = sentence(str(exc)), 422
        else:
            messages.success(
                request, f"Thank you: we will be in touch with {made.prospect_name} soon."
            )
            return redirect("portal:referrals")
    code = code_for(contact, now=now)
    policy = active()
    context = {
        "section": "referrals",
        "code": code,
        "link": link_of(code),
        "values": values,
        "error": error,
        "bonuses": {
            "meeting": dollars(policy.meeting_booked_cents),
            "won": dollars(policy.closed_won_cents),
            "enterprise": dollars(policy.enterprise_cents),
            "line": dollars(policy.enterprise_min_cents),
        },
        "referrals": contact.referrals_made.order_by("-submitted_at", "-id")[:50],
    }
    return portal_render(request, "portal/referrals.html", context, status=status)
