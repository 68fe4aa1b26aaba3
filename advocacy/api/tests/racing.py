"""Send the same API calls from several OS processes at once, against the test database.

Each worker is a forked process with its own database connection (the parent closes its own
before forking, so none is shared). The workers post each call through Django's test client
once every one of them is ready (a barrier before every call). A server error comes back as its
status, never as an exception, so a test counts them.
"""

from __future__ import annotations

import json
import multiprocessing
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

BARRIER_SECONDS = 120
ANSWER_SECONDS = 300


@dataclass(frozen=True)
class Call:
    """A POST: a JSON body, or a multipart form with files (field -> (filename, content))."""

    path: str
    body: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the decoded JSON, or the text of a non-JSON answer


def race(calls: list[Call], *, workers: int, secret: str) -> list[list[Answer]]:
    """Each worker's answers to `calls`, in worker order; a worker that crashed fails here."""
    connections.close_all()  # a forked worker must never share the parent's connection
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_work, args=(n, calls, secret, barrier, out)) for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        found = dict(out.get(timeout=ANSWER_SECONDS) for _ in procs)
    finally:
        for proc in procs:
            proc.join(timeout=60)
    crashed = [answer for answer in found.values() if isinstance(answer, str)]
    if crashed:
        raise AssertionError("a worker crashed:\n" + "\n".join(crashed))
    return [found[n] for n in range(workers)]


def _work(n: int, calls: list[Call], secret: str, barrier: Any, out: Any) -> None:
    try:
        out.put((n, _answers(calls, secret, barrier)))
    except BaseException:
        barrier.abort()  # the others stop waiting for this one
        out.put((n, traceback.format_exc()))
    finally:
        connections.close_all()


def _answers(calls: list[Call], secret: str, barrier: Any) -> list[Answer]:
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {secret}"})
    answers = []
    for call in calls:
        barrier.wait(timeout=BARRIER_SECONDS)
        if call.files:
            uploads = {k: SimpleUploadedFile(name, data) for k, (name, data) in call.files.items()}
            response = client.post(call.path, {**call.form, **uploads})
        else:
            response = client.post(
                call.path, json.dumps(call.body), content_type="application/json"
            )
        is_json = response.get("Content-Type", "").startswith("application/json")
        body = response.json() if is_json else response.content.decode(errors="replace")
        answers.append(Answer(response.status_code, body))
    return answers
