"""webhook_ingest: signed webhook requests into the inbox, beside the same endpoint without a
database.

A generic webhook connection (Standard Webhooks signatures) receives 3,000 requests at the small
scale, each a new event (its own `webhook-id`) with one NPS signal, signed beforehand (not
timed). Both sides run through Django's whole stack in this process (the WSGI handler and
every middleware, through `django.test.Client`), post the same bodies with the same headers
and check the same signature, taking turns in blocks of 250 requests.

Figures:

- `inbox`: requests per second into `/hooks/<token>/`: the connection found by its token's
  hash, the signature checked, the event id read, one row inserted in the inbox (unique per
  connection and event id) and, in the same transaction, the drain's flag set (the drain task
  is queued once for the burst, on the database queue), answered 202. The mapping to signals
  is the worker's, not timed here. Baseline: `/bench-hooks/<token>/`,
  the same view's work with the connection held in memory and no write (same parsing, same
  signature check, same event id, the same 202). Goal: at least 0.35 of the baseline.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from advocacy.customers.models import Account, Contact
from advocacy.integrations.connectors import ingest, standard
from advocacy.integrations.connectors.models import Connection, InboxRequest
from advocacy.integrations.connectors.registry import Received, Refused
from advocacy.integrations.connectors.services import add_connection
from bench.harness import Context, Figure, benchmark, rate_figure

NAME = "webhook_ingest"
SIZES = {"tiny": 50, "small": 3_000, "full": 20_000}
GOAL = 0.35
# The two sides take turns, a block each, so a machine busy with something else for a while
# slows both alike.
BLOCK = 250
SECRET = "whsec_" + base64.b64encode(b"benchmark signing secret 32 byte").decode()
_HELD: dict[str, Connection] = {}


@csrf_exempt
def no_database_view(request: HttpRequest, token: str) -> HttpResponse:
    """The inbound view's work without the database: the connection is held in memory."""
    received = Received(
        method=request.method or "POST",
        url=request.build_absolute_uri(),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.body,
    )
    connection = _HELD.get(ingest.token_hash(token))
    if connection is None:
        return JsonResponse({"error": "no connection at this address"}, status=404)
    try:
        ingest.check(connection, received, now=timezone.now())
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=401)
    event, _error = ingest.identify(connection, received)
    return JsonResponse({"status": "received", "id": len(event)}, status=202)


def requests(n: int) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    stamp = int(time.time())
    for i in range(n):
        body = json.dumps({"id": f"evt-{i}", "kind": "nps", "email": f"c{i % 100}@bench.example",
                           "value": i % 11, "text": "Bench answer",
                           "occurred_at": "2026-11-30T10:00:00Z"}).encode()  # fmt: skip
        msg = f"msg_{i}"
        signature = standard.sign(SECRET, msg, stamp, body)
        headers = {
            "webhook-id": msg,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature,
        }
        out.append((body, headers))
    return out


def post_all(client: Client, path: str, batch: list[tuple[bytes, dict[str, str]]]) -> float:
    started = time.perf_counter()
    for body, headers in batch:
        answer = client.post(path, data=body, content_type="application/json", headers=headers)
        if answer.status_code != 202:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.content[:200]!r}")
    return time.perf_counter() - started


@benchmark(NAME, "signed webhook requests into the inbox vs the same endpoint without a database")
def run(ctx: Context) -> Iterable[Figure]:
    n = SIZES[ctx.scale]
    account = Account.objects.create(name="Bench", domain="bench.example")
    Contact.objects.bulk_create(
        [Contact(account=account, email=f"c{i}@bench.example") for i in range(100)]
    )
    connection, url = add_connection(
        "webhook", "bench", secret=SECRET, actor=None, now=timezone.now()
    )
    token = url.rstrip("/").rsplit("/", 1)[1]
    _HELD[connection.token_hash] = Connection.objects.get(pk=connection.pk)
    batch = requests(n)
    client = Client()
    with override_settings(ROOT_URLCONF="bench.webhook_urls"):
        warm = requests(1)
        post_all(client, f"/bench-hooks/{token}/", warm)  # import and warm both paths
        ctx.log(f"{n:,} requests to each endpoint, in alternating blocks of {BLOCK}")
        baseline = seconds = 0.0
        for start in range(0, n, BLOCK):
            block = batch[start : start + BLOCK]
            baseline += post_all(client, f"/bench-hooks/{token}/", block)
            seconds += post_all(client, f"/hooks/{token}/", block)
    stored = InboxRequest.objects.filter(connection=connection).count()
    assert stored == n, stored
    figure = rate_figure(NAME, "inbox", n, seconds, baseline, GOAL)
    figure.extra.update(unit_note="requests/s", body_bytes=len(batch[0][0]))
    yield figure
