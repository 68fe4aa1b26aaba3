"""The lockout page: django-axes answers a login refused for too many failures with it.

Not routed: `AXES_LOCKOUT_CALLABLE` names `locked_out`, which axes' middleware calls in place
of the login page's answer (docs/security.md).
"""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from advocacy.core.lockout import cool_off, failure_limit, locked_until

STATUS = 429  # Too Many Requests


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    username = username or request.POST.get("username", "")
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    until = locked_until(username, ip_address=getattr(request, "axes_ip_address", None), now=now)
    if until is None:  # the limit was reached by this very failure, recorded as of `now`
        until = now + cool_off()
    seconds = max(1, math.ceil((until - now).total_seconds()))
    context = {
        "username": username,
        "failure_limit": failure_limit(),
        "cool_off_minutes": int(cool_off().total_seconds() // 60),
        "until": until,
        "minutes_left": math.ceil(seconds / 60),
    }
    response = render(request, "web/auth/locked_out.html", context, status=STATUS)
    response["Retry-After"] = str(seconds)
    return response
