"""The public referral form behind an advocate's link: a peer leaves their details.

No login; CSRF as on every form; each address may send ADVOCACY_REFERRAL_FORM_RATE forms per
window, counted in the database (advocacy.core.jobs.take_slot), so a script cannot flood the
referrals. An unknown code gets a page that says so and what to do, not a bare 404.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advocacy.core.jobs import Throttled, take_slot
from advocacy.customers.models import Contact
from advocacy.portal.render import portal_render
from advocacy.referrals.display import sentence
from advocacy.referrals.models import Via
from advocacy.referrals.services import Prospect, ReferralError, advocate_by_code, submit

FIELDS = (("name", 200), ("email", 254), ("company", 200), ("website", 255), ("title", 200))


def _unknown(request: HttpRequest) -> HttpResponse:
    return portal_render(request, "portal/refer_unknown.html", {}, status=404)


def prospect_from(post: dict[str, str]) -> Prospect:
    values = {name: str(post.get(name, ""))[:limit] for name, limit in FIELDS}
    return Prospect(note=str(post.get("note", ""))[:2000], **values)


def _first_name(advocate: Contact) -> str:
    return advocate.first_name or advocate.full_name or "One of our customers"


@require_http_methods(["GET", "POST"])
def form(request: HttpRequest, code: str) -> HttpResponse:
    advocate = advocate_by_code(code)
    if advocate is None:
        return _unknown(request)
    context: dict[str, object] = {
        "code": code,
        "referrer": _first_name(advocate),
        "company": advocate.account.name,
        "values": {},
        "error": "",
    }
    if request.method != "POST":
        return portal_render(request, "portal/refer.html", context)
    post = {k: request.POST.get(k, "") for k, _ in FIELDS} | {"note": request.POST.get("note", "")}
    context["values"] = post
    now = timezone.now()
    try:
        ip = request.META.get("REMOTE_ADDR") or "unknown"
        take_slot(f"referral-form:{ip}", now=now, rate=settings.REFERRAL_FORM_RATE)
    except Throttled as exc:
        context["error"] = (
            f"Too many referrals from your address just now; try again in {exc.retry_after} s."
        )
        response = portal_render(request, "portal/refer.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    try:
        submit(advocate, prospect_from(post), via=Via.FORM, actor=None, now=now)
    except ReferralError as exc:
        context["error"] = sentence(str(exc))
        return portal_render(request, "portal/refer.html", context, status=422)
    return redirect("refer:thanks", code=code)


@require_http_methods(["GET"])
def thanks(request: HttpRequest, code: str) -> HttpResponse:
    advocate = advocate_by_code(code)
    if advocate is None:
        return _unknown(request)
    return portal_render(request, "portal/refer_thanks.html", {"referrer": _first_name(advocate)})
