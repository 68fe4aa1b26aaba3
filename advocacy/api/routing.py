"""The router every area uses: one scope per operation, idempotency documented on writes.

A router names the scope its writes need; its reads need `read`. An operation may still pass
its own `auth=`. Every operation documents the error answers it can give (401, 403, 422), so
clients and the schema fuzzer know their shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Router
from ninja.constants import NOT_SET

from advocacy.api.auth import needs
from advocacy.api.idempotency import OPENAPI_PARAMETER, WRITE_METHODS
from advocacy.api.schemas import ErrorOut, ValidationErrorOut
from advocacy.people.models import Scope

ERROR_RESPONSES: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


class ScopedRouter(Router):
    """A Router whose reads need `read` and whose writes need `write_scope`."""

    def __init__(self, *, write_scope: Scope, **kwargs: Any) -> None:
        self.write_scope = write_scope
        super().__init__(**kwargs)

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any
    ) -> None:
        writes = bool(set(methods) & WRITE_METHODS)
        if kwargs.get("auth", NOT_SET) is NOT_SET:
            kwargs["auth"] = needs(self.write_scope if writes else Scope.READ)
        response = kwargs.get("response", NOT_SET)
        if response is not NOT_SET:
            given = response if isinstance(response, dict) else {200: response}
            kwargs["response"] = {**ERROR_RESPONSES, 404: ErrorOut, **given}
        if writes:
            extra = dict(kwargs.get("openapi_extra") or {})
            extra["parameters"] = [*extra.get("parameters", []), OPENAPI_PARAMETER]
            kwargs["openapi_extra"] = extra
        super().add_api_operation(path, methods, view_func, **kwargs)
