"""The router every area uses: one action per operation, idempotency documented on writes.

Each operation needs the action advocacy/api/access.py names for its operation id; one that is
missing there cannot be declared. Every operation documents the error answers it can give
(401, 403, 422), so clients and the schema fuzzer know their shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import Router
from ninja.constants import NOT_SET

from advocacy.api.access import OPERATIONS
from advocacy.api.auth import needs
from advocacy.api.idempotency import OPENAPI_PARAMETER, WRITE_METHODS
from advocacy.api.schemas import ErrorOut, ValidationErrorOut

ERROR_RESPONSES: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


def status_keys(responses: dict[int | str, Any]) -> dict[int, Any]:
    """The responses an operation adds to its schema, keyed by status as ninja keys its own.

    Ninja writes the answers of `response=` under integer keys and merges `openapi_extra` into
    them; a string key ("200") would sit beside the integer one and the served JSON would hold
    the key twice, which Swagger UI refuses ("duplicated mapping key"). With the same key the
    extra's description and content are merged into the generated answer.
    """
    return {int(code): answer for code, answer in responses.items()}


class ScopedRouter(Router):
    """A Router whose every operation needs the action of the permission table it names."""

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any
    ) -> None:
        writes = bool(set(methods) & WRITE_METHODS)
        operation_id = kwargs.get("operation_id")
        action = OPERATIONS.get(operation_id or "")
        if action is None:
            raise ImproperlyConfigured(
                f"API operation {operation_id or view_func.__name__!r} has no rule: "
                "name its action in advocacy/api/access.py"
            )
        kwargs["auth"] = needs(action)
        response = kwargs.get("response", NOT_SET)
        if response is not NOT_SET:
            given = response if isinstance(response, dict) else {200: response}
            kwargs["response"] = {**ERROR_RESPONSES, 404: ErrorOut, **given}
        extra = dict(kwargs.get("openapi_extra") or {})
        if "responses" in extra:
            extra["responses"] = status_keys(extra["responses"])
        if writes:
            extra["parameters"] = [*extra.get("parameters", []), OPENAPI_PARAMETER]
        if extra:
            kwargs["openapi_extra"] = extra
        super().add_api_operation(path, methods, view_func, **kwargs)
