"""Every 404 and 405 under /api/ answers JSON `{"detail": ...}`, as every other API error does.

The API's own handlers (`main.py`) already answer JSON for a missing object. Two answers come
from outside them: Django's resolver finds no route (an unknown path, or an id that a path
converter refuses, `/api/asks/abc`), and ninja's path view refuses a method it does not serve.
Both arrive here as HTML (Django's 404 page, its debug page, or ninja's "Method not allowed")
and are answered again as JSON; the `Allow` header of a 405 is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

API_PREFIX = "/api/"


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code not in (404, 405)
            or not request.path_info.startswith(API_PREFIX)
            or _is_json(response)
        ):
            return response
        if response.status_code == 404:
            return JsonResponse({"detail": f"no such resource: {request.path}"}, status=404)
        allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
        detail = (
            f"method {request.method} is not allowed on {request.path}; "
            f"allowed: {', '.join(allowed) or 'none'}"
        )
        answer: HttpResponse = JsonResponse({"detail": detail}, status=405)
        if allowed:
            answer["Allow"] = ", ".join(allowed)
        return answer
