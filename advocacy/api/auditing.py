"""Every successful write through the API is written to the audit log, once.

Applied to every operation (`api.add_decorator(audited, mode="view")`) outside the
Idempotency-Key layer: a replayed answer changed nothing, so it is not logged again.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from advocacy.api.auth import Principal
from advocacy.api.idempotency import REPLAYED_HEADER, WRITE_METHODS
from advocacy.people import audit
from advocacy.people.models import Via
from advocacy.people.permissions import SELF_AUDITED, TABLE

Run = Callable[..., HttpResponseBase]


def _action(run: Run) -> Any:
    operation = getattr(inspect.unwrap(run), "__self__", None)
    callbacks = getattr(operation, "auth_callbacks", None) or []
    return getattr(callbacks[0], "action", None) if callbacks else None


def _submitted(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = json.loads(request.body or b"{}")
            if isinstance(body, dict):
                return audit.clean(body)
            return {"items": len(body)} if isinstance(body, list) else {}
        return {}
    detail = audit.clean(dict(request.POST.lists()))
    if request.FILES:
        detail["files"] = [f.name for key in request.FILES for f in request.FILES.getlist(key)]
    return detail


def audited(run: Run) -> Run:
    action = _action(run)

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in WRITE_METHODS or action in SELF_AUDITED:
            return run(request, *args, **kwargs)
        detail = _submitted(request)  # read before the operation consumes the body
        response = run(request, *args, **kwargs)
        principal = getattr(request, "auth", None)
        if (
            response.status_code < 400
            and response.get(REPLAYED_HEADER) != "true"
            and isinstance(principal, Principal)
            and action is not None
        ):
            audit.record(
                actor=principal.user,
                action=action.value,
                via=Via.API,
                now=timezone.now(),
                target=f"{request.method} {request.path}",
                summary=TABLE[action].text,
                detail=detail,
                ip=request.META.get("REMOTE_ADDR") or None,
                key_prefix="" if principal.key is None else principal.key.prefix,
            )
        return response

    return wrapper
