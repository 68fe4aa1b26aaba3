"""An ask's channel sequence where people see it: the ask's page and the outbox's channel
filter, `advocacy outbox steps|events|list --channel`, and the API's steps and feed."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.messaging.tests.test_delivery import queued_ask
from advocacy.people.models import ApiKey, Scope

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=120)


@pytest.fixture
def reminded(smtp_sink, settings, member):
    """An ask whose email went out at NOW and whose in-product reminder went at LATER."""
    settings.PRODUCT_EVENTS_URL = ""
    ask = queued_ask(promoter(member), sequence=(("email", 0), ("in_app", 120)))
    deliver_due(now=NOW)
    deliver_due(now=LATER)
    return ask


def run(*args: str) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_the_ask_page_shows_its_steps_and_the_outbox_filters_them(client, viewer, reminded):
    client.force_login(viewer)
    body = client.get(f"/asks/{reminded.pk}/").content.decode()
    assert body.count('data-testid="ask-step"') == 2
    assert "In the product, 120 hours after the first email" in body
    assert body.count('data-testid="ask-step-state">sent 2026-06-') == 2
    only = client.get("/outbox/?channel=in_app").content.decode()
    assert only.count('data-testid="message-row"') == 1
    assert "In-product reminder" in only
    assert client.get("/outbox/?channel=email").content.decode().count('"message-row"') == 1


def test_the_cli_shows_steps_events_and_filters_by_channel(reminded, viewer):
    steps = json.loads(run("steps", str(reminded.pk), "--json"))["steps"]
    assert [(s["channel"], s["status"]) for s in steps] == [("email", "sent"), ("in_app", "sent")]
    assert "2. in_app (120 h after the first email): sent" in run("steps", str(reminded.pk))
    feed = json.loads(run("events", "--json"))
    (event,) = feed["events"]
    assert (event["type"], event["ask"]["id"], feed["next"]) == (
        "ask.reminder", reminded.pk, event["id"],
    )  # fmt: skip
    assert json.loads(run("events", "--since", str(feed["next"]), "--json"))["events"] == []
    listed = json.loads(run("list", "--channel", "in_app", "--json"))["messages"]
    assert [(m["kind"], m["step"]) for m in listed] == [("nudge", 1)]
    with pytest.raises(CommandError, match="may not read the product events feed"):
        run("events", "--as", "viewer")


def test_the_feed_needs_its_scope_and_pages_by_cursor(client, owner, reminded):
    _, secret = ApiKey.issue(owner, "product", [Scope.PRODUCT_EVENTS_READ])
    auth = {"Authorization": f"Bearer {secret}"}
    page = client.get("/api/product-events?since=0", headers=auth).json()
    (event,) = page["events"]
    assert (event["ask"]["id"], event["step"], page["next"]) == (reminded.pk, 1, event["id"])
    again = client.get(f"/api/product-events?since={page['next']}", headers=auth).json()
    assert again == {"events": [], "next": page["next"]}
    _, reader = ApiKey.issue(owner, "reader", [Scope.READ])
    refused = client.get("/api/product-events", headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403
    assert client.get(f"/api/asks/{reminded.pk}/steps", headers=auth).status_code == 403
    steps = client.get(
        f"/api/asks/{reminded.pk}/steps", headers={"Authorization": f"Bearer {reader}"}
    ).json()
    assert [(s["number"], s["channel"], s["status"]) for s in steps] == [
        (1, "email", "sent"), (2, "in_app", "sent"),
    ]  # fmt: skip
    listed = client.get(
        "/api/messages?channel=in_app", headers={"Authorization": f"Bearer {reader}"}
    ).json()
    assert [(m["kind"], m["channel"]) for m in listed["items"]] == [("nudge", "in_app")]
