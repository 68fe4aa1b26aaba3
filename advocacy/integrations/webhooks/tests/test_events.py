"""Events are written in the transaction of their cause, once per fact, only when an endpoint
subscribes; each gets one delivery per subscribed endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from advocacy.content.models import Asset
from advocacy.content.services import move_asset
from advocacy.content.tests.conftest import asset_in
from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.integrations.webhooks.events import TYPES
from advocacy.integrations.webhooks.models import Delivery, Event
from advocacy.integrations.webhooks.services import add_endpoint
from advocacy.pipeline.models import AskType
from advocacy.references import services as desk
from advocacy.references.models import CallOutcome
from advocacy.references.tests.world import NOW, advocate, refresh
from advocacy.rewards.models import Entry
from advocacy.rewards.services import credit

pytestmark = pytest.mark.django_db
URL = "http://127.0.0.1:9/hook"


def endpoint(name: str = "crm", events: tuple[str, ...] = tuple(TYPES)) -> Any:
    return add_endpoint(name, URL, list(events), actor=None, now=NOW)[0]


def types() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("type", flat=True))


def test_the_catalogue_names_the_issue_s_events():
    assert list(TYPES) == [
        "ask.opened", "ask.completed", "reference.filled", "content.published", "reward.credited",
    ]  # fmt: skip


def test_nothing_is_written_without_a_subscriber(django_assert_max_num_queries):
    ann = advocate("ann@a.example")
    request = AskRequest(ann.pk, AskType.objects.get(code="case_study"), "manual:1")
    endpoint(events=("reward.credited",))
    open_asks([request], now=NOW)
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


def test_a_reference_desk_flow_tells_each_fact_once(seller: Any, member: Any) -> None:
    crm, other = endpoint("crm"), endpoint("only asks", ("ask.opened",))
    ann = advocate("ann@a.example")
    Contact.objects.filter(pk=ann.pk).update(first_name="Ann", last_name="Lee")
    refresh()
    request = desk.file_request(
        desk.RequestData(
            opportunity="Globex renewal", prospect_company="Globex", industry="SaaS",
            needed_by=(NOW + dt.timedelta(days=14)).date(), region="emea",
            size_band="enterprise", products=["Core Platform"],
            prospect_contacts=["cto@globex.example"],
        ),
        actor=seller, now=NOW,
    )  # fmt: skip
    made = desk.offer(request, ann, actor=member, now=NOW, policy=DEFAULT_POLICY)
    assert types() == ["ask.opened"]
    desk.respond(made, True, actor=member, now=NOW, policy=DEFAULT_POLICY)
    starts = NOW + dt.timedelta(days=1)
    call = desk.schedule_call(made, starts_at=starts, actor=member, now=NOW)
    desk.reschedule_call(call, starts_at=starts + dt.timedelta(hours=2), actor=member, now=NOW)
    assert types() == ["ask.opened", "reference.filled"]  # a new time is not a new fact
    later = starts + dt.timedelta(hours=3)
    desk.record_outcome(
        call, CallOutcome.HELD, rating=5, actor=member, now=later, policy=DEFAULT_POLICY
    )
    credits = Entry.objects.filter(ask_id=made.ask_id, amount_cents__gt=0).count()
    assert credits >= 1
    # In the completion's transaction: the credits (the rewards' hook runs first), the completion.
    assert types() == ["ask.opened", "reference.filled"] + ["reward.credited"] * credits + [
        "ask.completed"
    ]
    opened = Event.objects.get(type="ask.opened")
    assert opened.key == f"ask.opened:{made.ask_id}"
    assert opened.msg_id.startswith("msg_") and len(opened.msg_id) == 36
    assert opened.payload["type"] == "ask.opened"
    assert opened.payload["timestamp"] == "2026-06-01T12:00:00Z"
    data = opened.payload["data"]
    assert data["ask"]["id"] == made.ask_id
    assert data["ask"]["type"] == "reference_call"
    assert data["contact"] == {"id": ann.pk, "email": "ann@a.example", "name": "Ann Lee"}
    assert data["account"]["id"] == ann.account_id
    filled = Event.objects.get(type="reference.filled").payload["data"]
    assert filled["request"]["id"] == request.pk
    assert filled["request"]["prospect_company"] == "Globex"
    assert filled["request"]["requested_by"] == seller.username
    assert filled["call"] == {"id": call.pk, "starts_at": "2026-06-02T12:00:00Z",
                              "duration_minutes": 20}  # fmt: skip
    by_endpoint = dict(Delivery.objects.values_list("endpoint_id").annotate(n=Count("pk")))
    assert by_endpoint == {crm.pk: 3 + credits, other.pk: 1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}


def test_a_rolled_back_cause_leaves_no_event():
    endpoint()
    ann = advocate("ann@a.example")
    request = AskRequest(ann.pk, AskType.objects.get(code="case_study"), "manual:1")
    with pytest.raises(RuntimeError), transaction.atomic():
        open_asks([request], now=NOW)
        assert types() == ["ask.opened"]
        raise RuntimeError("the cause fails after its hooks ran")
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


def test_content_published_and_a_credit_by_hand(member: Any) -> None:
    endpoint(events=("content.published", "reward.credited"))
    asset = asset_in("approved")
    move_asset(asset, "published", actor=member, now=NOW)
    published = Event.objects.get(type="content.published")
    assert published.payload["data"]["content"]["id"] == asset.pk
    assert published.payload["data"]["content"]["kind"] == asset.kind
    assert published.payload["data"]["account"]["id"] == Asset.objects.get().account_id
    entry = credit(asset.contact, 2500, "a thank-you", actor=member, now=NOW)
    credited = Event.objects.get(type="reward.credited")
    assert credited.key == f"reward.credited:{entry.pk}"
    assert credited.payload["data"]["reward"]["amount_cents"] == 2500
    assert credited.payload["data"]["reward"]["reason"] == "a thank-you"
    assert Delivery.objects.count() == 2


def test_a_hook_run_twice_writes_one_event(member: Any) -> None:
    from advocacy.integrations.webhooks.hooks import on_asks_entered

    endpoint()
    ann = advocate("ann@a.example")
    request = AskRequest(ann.pk, AskType.objects.get(code="case_study"), "manual:1")
    ask = open_asks([request], now=NOW).opened[0]
    on_asks_entered([ask.pk], ask.status, NOW, True)
    assert (Event.objects.count(), Delivery.objects.count()) == (1, 1)


def test_a_removed_endpoint_gets_no_new_delivery():
    from advocacy.integrations.webhooks.services import remove_endpoint

    endpoint("gone")
    remove_endpoint("gone", actor=None, now=NOW)
    ann = advocate("ann@a.example")
    open_asks([AskRequest(ann.pk, AskType.objects.get(code="case_study"), "m:1")], now=NOW)
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)
