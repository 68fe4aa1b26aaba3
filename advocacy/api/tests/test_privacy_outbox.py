"""The outbox in a person's privacy export and erasure: the messages to and about them (with
their attempts) and their product events are exported; erasure removes them, and the call
invites that went to their address for someone else's call."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Contact
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageAttempt, ProductEvent
from advocacy.messaging.tests.conftest import NOW, promoter, smtp_sink  # noqa: F401
from advocacy.messaging.tests.test_call_invites import scheduled
from advocacy.messaging.tests.test_delivery import queued_ask
from advocacy.privacy.services import erase_person, export_person, holdings
from advocacy.references.tests.world import advocate

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=120)


@pytest.fixture
def ada(smtp_sink, settings, member) -> Contact:  # noqa: F811
    """Ada's ask went out by email, then its in-product reminder (on the feed)."""
    settings.PRODUCT_EVENTS_URL = ""
    ada = promoter(member)
    queued_ask(ada, sequence=(("email", 0), ("in_app", 120)))
    deliver_due(now=NOW)
    deliver_due(now=LATER)
    return ada


def test_the_export_holds_the_messages_and_product_events(ada, owner):
    doc = export_person(ada, actor=owner, via="cli", now=LATER)
    kinds = [(m["kind"], m["channel"], m["status"], m["to"]) for m in doc["messages"]]
    assert kinds == [
        ("ask", "email", "sent", "ada@acme.example"),
        ("nudge", "in_app", "sent", "ada@acme.example"),
    ]
    assert [a["result"] for a in doc["messages"][0]["attempt_list"]] == ["sent"]
    (event,) = doc["product_events"]
    assert (event["type"], event["payload"]["contact"]["email"]) == (
        "ask.reminder", "ada@acme.example",
    )  # fmt: skip
    assert holdings(ada)["Messages"] == 2
    assert holdings(ada)["Product events"] == 1


def test_the_export_over_the_api_has_them_too(ada, owner, client):
    client.force_login(owner)
    doc = client.get(f"/api/contacts/{ada.pk}/export").json()
    assert (len(doc["messages"]), len(doc["product_events"])) == (2, 1)


def test_erasure_removes_them(ada, owner):
    done = erase_person(ada, actor=owner, via="cli", now=LATER, reason="asked by email")
    assert (Message.objects.count(), ProductEvent.objects.count()) == (0, 0)
    assert MessageAttempt.objects.count() == 0
    assert (done.deleted["messaging.Message"], done.deleted["messaging.ProductEvent"]) == (2, 1)


def test_erasure_removes_the_invites_to_their_address_for_someone_elses_call(
    smtp_sink,  # noqa: F811
    seller,
    member,
    owner,
):
    scheduled(seller, member)  # the prospect cto@globex.example is invited
    cto = Contact.objects.create(
        account=advocate("bob@b.example").account, email="cto@globex.example"
    )
    doc = export_person(cto, actor=owner, via="cli", now=NOW)
    assert [(m["kind"], m["to"]) for m in doc["messages"]] == [("calendar", "cto@globex.example")]
    erase_person(cto, actor=owner, via="cli", now=NOW, reason="asked by email")
    left = Message.objects.filter(kind="calendar").values_list("to_email", flat=True)
    assert sorted(left) == ["", "seller@example.com"]  # the advocate's and the seller's
