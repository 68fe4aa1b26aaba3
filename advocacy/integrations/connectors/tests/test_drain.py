"""With the database queue, a burst of requests queues one drain task, which maps them all."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advocacy.core import scheduler
from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.models import InboxDrain, InboxRequest
from advocacy.integrations.connectors.processing import drain
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def send(h: Any, i: int) -> int:
    raw = json.dumps({"id": f"e{i}", "kind": "nps", "email": "ada@acme.com", "value": 8,
                      "occurred_at": "2026-11-30T10:00:00Z"}).encode()  # fmt: skip
    stamp = int(time.time())
    signature = standard.sign(SECRET, f"m{i}", stamp, raw)
    headers = {
        "webhook-id": f"m{i}",
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
    }
    return int(h.post(raw, **headers).status_code)


def test_a_burst_queues_one_task_and_the_drain_maps_every_request(hook, ada, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    h = hook("webhook", secret=SECRET)
    assert [send(h, i) for i in range(3)] == [202, 202, 202]
    assert (DBTaskResult.objects.count(), InboxDrain.objects.get().queued) == (1, True)
    assert InboxRequest.objects.filter(status="pending").count() == 3
    outcome = drain(now=timezone.now)
    assert (outcome.requests, outcome.created, Signal.objects.count()) == (3, 3, 3)
    assert InboxDrain.objects.get().queued is False
    # The next request after the drain queues the next task.
    send(h, 3)
    assert DBTaskResult.objects.count() == 2


def test_the_scheduler_drains_what_a_lost_task_left(hook, ada, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    h = hook("webhook", secret=SECRET)
    send(h, 1)
    DBTaskResult.objects.all().delete()  # the task is lost; the flag stays set
    assert scheduler.REGISTRY["drain-inbox"].every.total_seconds() == 300
    scheduler.REGISTRY["drain-inbox"].enqueue()
    assert DBTaskResult.objects.count() == 1
    drain(now=timezone.now)
    assert (Signal.objects.count(), InboxDrain.objects.get().queued) == (1, False)
