"""The Idempotency-Key header, honoured on every write of the API.

Applied once to every operation (`api.add_decorator(idempotent, mode="view")`); reads pass
through. For a write with the header:

- the caller is authenticated, authorised and CSRF-checked first, exactly as the operation
  itself would be, so a replay is never answered to a caller who may not make the request;
- the key is claimed by inserting an IdempotencyRecord unique per (user, key), in the same
  transaction as the write itself, and the response is stored on it;
- a request whose key is already stored replays the stored status and body (header
  `Idempotent-Replayed: true`) without running the operation again, provided it is the same
  request (method, path and body); otherwise it is refused with 422;
- a concurrent duplicate blocks on the unique constraint until the first commits, then replays;
- a request that fails (status 400 and above, or an exception) rolls back, claim included, so
  it can be retried with the same key.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from advocacy.api.auth import principal_of
from advocacy.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADER = "Idempotent-Replayed"

OPENAPI_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "A unique string per logical write (a UUID). Re-sending the same request with the same "
        "key returns the first answer without writing again."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": r"^[^\x00]*$",
    },
}

Run = Callable[..., HttpResponseBase]


def fingerprint(request: HttpRequest) -> str:
    """Hash what makes two requests the same: method, full path and body (JSON canonicalised).

    Multipart bodies are hashed field by field and file by file, since the boundary between
    parts differs on every send of the same upload.
    """
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field {name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"file {name}={upload.name}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    body = request.body
    if request.content_type == "application/json":
        # Invalid JSON is hashed raw; the operation will refuse it anyway.
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _replay(record: IdempotencyRecord, request_hash: str, request: HttpRequest) -> HttpResponse:
    if record.request_hash != request_hash or record.status_code is None:
        return _error(
            422,
            f"Idempotency-Key {record.key!r} was already used for a different request "
            f"({record.method} {record.path}); send a new key for a new request",
        )
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.status_code,
        content_type=record.content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def run_checks(run: Run, request: HttpRequest) -> HttpResponse | None:
    """Run the operation's own authentication, authorisation and CSRF checks now.

    A view-mode decorator wraps the operation's bound `run`, which runs these checks only
    when it is called; a replay must not skip them. The answer is ninja's own (401, 403).
    """
    operation = getattr(inspect.unwrap(run), "__self__", None)
    checks = getattr(operation, "_run_checks", None)
    if checks is None:
        raise RuntimeError("the Idempotency-Key layer must wrap a ninja Operation's run")
    result: HttpResponse | None = checks(request)
    return result


def idempotent(run: Run) -> Run:
    """Wrap an operation's run so that writes carrying an Idempotency-Key happen once."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method not in WRITE_METHODS or key is None:
            return run(request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            return _error(
                422,
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters, found {len(key)}",
            )
        if "\x00" in key:
            return _error(422, f"{HEADER} must not contain a NUL character")
        refused = run_checks(run, request)
        if refused is not None:
            return refused  # not authenticated, not allowed or no CSRF token: nothing stored
        user = principal_of(request).user
        request_hash = fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method=request.method or "",
                        path=request.get_full_path()[:500],
                        request_hash=request_hash,
                    )
            except IntegrityError:
                # Taken, possibly by a concurrent request we waited for: answer as it did.
                existing = IdempotencyRecord.objects.get(user=user, key=key)
                return _replay(existing, request_hash, request)
            response = run(request, *args, **kwargs)
            if response.status_code >= 400 or not isinstance(response, HttpResponse):
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.response_body = response.content
            record.save(update_fields=["status_code", "content_type", "response_body"])
            return response

    return wrapper
