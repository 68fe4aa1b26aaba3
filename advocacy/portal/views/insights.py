"""The advocate's own choice of the weekly insights email (advocacy.value)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.portal.session import advocate_of, advocate_required
from advocacy.value.services import set_weekly


@require_POST
@advocate_required
def weekly(request: HttpRequest) -> HttpResponse:
    """Turn the weekly insights email on (`weekly=on`) or off (anything else)."""
    contact = advocate_of(request)
    on = request.POST.get("weekly") == "on"
    set_weekly(contact, on, now=timezone.now(), where="portal")
    messages.success(
        request,
        "Done: we will send you a short weekly insights email."
        if on
        else "Done: no more weekly insights emails.",
    )
    return redirect("portal:preferences")
