"""`advocacy portal link|notices` and `advocacy references times`."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.people.models import AuditEntry
from advocacy.pipeline.notices import Notice
from advocacy.pipeline.slots import AskSlot
from advocacy.portal.tests.conftest import World
from advocacy.references import services as desk

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_link_prints_a_link_that_opens_the_portal(world: World, member: Any) -> None:
    text = run("portal", "link", world.ann.email, "--as", "member")
    assert text.startswith(f"Send this link to {world.ann.email}; it opens their portal once")
    url = text.strip().splitlines()[-1]
    assert Client().post(url.removeprefix("http://127.0.0.1:8000")).status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.via, entry.actor_id) == ("portal.link", "cli", member.pk)
    data = json.loads(run("portal", "link", world.ann.email, "--ask", str(world.testimonial.pk),
                          "--json"))  # fmt: skip
    assert (data["contact_id"], data["ask_id"]) == (world.ann.pk, world.testimonial.pk)


def test_link_is_refused_to_a_seller_and_for_an_unknown_email(world: World, seller: Any) -> None:
    with pytest.raises(CommandError, match="may not send an advocate a link to their portal"):
        run("portal", "link", world.ann.email, "--as", "seller")
    with pytest.raises(CommandError, match="no contact with email"):
        run("portal", "link", "nobody@example.com")
    assert AuditEntry.objects.count() == 0


def test_notices_lists_what_advocates_did(world: World, ann_client: Client) -> None:
    ann_client.post(f"/portal/asks/{world.testimonial.pk}/answer/", {"answer": "accept"})
    data = json.loads(run("portal", "notices", "--for", "csm", "--json"))
    assert [n["text"] for n in data["notices"]] == [
        "Ann Archer accepted the testimonial quote ask."
    ]
    assert json.loads(run("portal", "notices", "--kind", "opted_out", "--json")) == {"notices": []}
    assert "accepted the testimonial" in run("portal", "notices", "--undelivered")
    assert Notice.objects.count() == 1


def test_references_times_offers_the_advocate_times(world: World, seller: Any, member: Any) -> None:
    now = timezone.now()
    data = desk.RequestData(opportunity="Globex", prospect_company="Globex", industry="Logistics",
                            needed_by=(now + timedelta(days=14)).date())  # fmt: skip
    made = desk.offer(desk.file_request(data, actor=seller, now=now), world.ann, actor=member,
                      now=now, policy=DEFAULT_POLICY)  # fmt: skip
    desk.respond(made, True, actor=member, now=now, policy=DEFAULT_POLICY)
    first, second = (
        timezone.localtime(now + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M") for d in (3, 4)
    )
    args = ("times", str(made.pk), "--at", first, "--at", second, "--as", "member", "--json")
    out = json.loads(run("references", *args))
    assert len(out["times"]) == 2
    assert AskSlot.objects.filter(ask=made.ask, offered_by=member).count() == 2
    with pytest.raises(CommandError, match="expected a moment"):
        run("references", "times", str(made.pk), "--at", "tomorrow", "--as", "member")
