"""The way in and the mapping issue a constant number of queries, whatever the batch's size."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.ingest import receive
from advocacy.integrations.connectors.models import InboxRequest
from advocacy.integrations.connectors.processing import process
from advocacy.integrations.connectors.registry import Received
from advocacy.integrations.connectors.services import add_connection
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def request(i: int, *, signals: int = 1) -> Received:
    body = json.dumps({"signals": [
        {"id": f"e{i}-{n}", "kind": "nps", "email": f"c{n}@acme.com", "value": 7,
         "occurred_at": "2026-11-30T10:00:00Z"} for n in range(signals)
    ]}).encode()  # fmt: skip
    stamp = int(time.time())
    headers = {"webhook-id": f"m{i}", "webhook-timestamp": str(stamp),
               "webhook-signature": standard.sign(SECRET, f"m{i}", stamp, body)}  # fmt: skip
    return Received("POST", "http://x/hooks/t/", headers, body)


@pytest.fixture
def token(db: Any) -> str:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    Contact.objects.bulk_create([Contact(account=acme, email=f"c{n}@acme.com") for n in range(50)])
    _, url = add_connection("webhook", "w", secret=SECRET, actor=None, now=timezone.now())
    return url.rstrip("/").rsplit("/", 1)[1]


def test_a_request_is_stored_in_a_handful_of_queries(token, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        answer = receive(token, request(1), now=timezone.now(), process=False)
    assert answer.status == 202


@pytest.mark.parametrize("size", [1, 40])
def test_mapping_a_batch_takes_the_same_queries_for_1_or_40(
    token, size, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(size):
        receive(token, request(i, signals=3), now=now, process=False)
    ids = list(InboxRequest.objects.values_list("pk", flat=True))
    # 9 on SQLite; PostgreSQL's signal insert adds its staging table's create and truncate.
    with django_assert_max_num_queries(9 if connection.vendor == "sqlite" else 11):
        outcome = process(ids, now=now)
    assert (outcome.processed, outcome.created, Signal.objects.count()) == (
        size,
        3 * size,
        3 * size,
    )
