"""A scheduled reference call emails its calendar invite (METHOD:REQUEST, the .ics attached)
to the advocate, the seller and the prospect, written in the scheduling's transaction; a
reschedule sends it again with the same UID and a higher SEQUENCE."""

from __future__ import annotations

import datetime as dt
import json
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from icalendar import Calendar

from advocacy.customers.suppression import suppress_mail
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.references import services as desk
from advocacy.references.models import ReferenceCall
from advocacy.references.tests.test_desk import P, file
from advocacy.references.tests.world import NOW, advocate, refresh

pytestmark = pytest.mark.django_db
STARTS = NOW + dt.timedelta(days=3)


def scheduled(seller: Any, member: Any) -> ReferenceCall:
    ann = advocate("ann@a.example")
    refresh()
    made = desk.offer(file(seller), ann, actor=member, now=NOW, policy=P)
    desk.respond(made, True, actor=member, now=NOW, policy=P)
    return desk.schedule_call(made, starts_at=STARTS, actor=member, now=NOW)


def calendar_of(mail: EmailMessage) -> tuple[Calendar, Calendar]:
    """The text/calendar part and the .ics attachment, parsed."""
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert [p.get_param("method") for p in parts] == ["REQUEST"]
    (attached,) = [p for p in mail.walk() if p.get_filename() == "invite.ics"]
    return Calendar.from_ical(parts[0].get_content()), Calendar.from_ical(
        attached.get_payload(decode=True)
    )


def invites(sink: Any) -> dict[str, EmailMessage]:
    return {m["To"]: m for m in sink.received if m["Subject"].startswith("Reference call:")}


def test_the_invite_goes_to_the_advocate_the_seller_and_the_prospect(smtp_sink, seller, member):
    call = scheduled(seller, member)
    rows = Message.objects.filter(kind="calendar")
    assert sorted(rows.values_list("to_email", flat=True)) == [
        "", "cto@globex.example", "seller@example.com",
    ]  # fmt: skip
    deliver_due(now=NOW)
    got = invites(smtp_sink)
    assert sorted(got) == ["ann@a.example", "cto@globex.example", "seller@example.com"]
    uids = set()
    for to, mail in got.items():
        part, attached = calendar_of(mail)
        assert part.to_ical() == attached.to_ical()
        assert str(part["method"]) == "REQUEST"
        (event,) = part.walk("VEVENT")
        uids.add(str(event["uid"]))
        assert (event.decoded("dtstart"), int(event["sequence"])) == (STARTS, 0)
        # Only the advocate's email offers to unsubscribe (it is their address's, not others').
        assert ("List-Unsubscribe" in mail) == (to == "ann@a.example")
    assert uids == {call.uid}
    assert set(rows.values_list("status", flat=True)) == {"sent"}


def test_a_reschedule_sends_it_again_with_a_higher_sequence(smtp_sink, seller, member):
    call = scheduled(seller, member)
    deliver_due(now=NOW)
    smtp_sink.received.clear()
    later = STARTS + dt.timedelta(hours=2)
    desk.reschedule_call(call, starts_at=later, actor=member, now=NOW + dt.timedelta(hours=1))
    deliver_due(now=NOW + dt.timedelta(hours=1))
    got = invites(smtp_sink)
    assert len(got) == 3
    for mail in got.values():
        (event,) = calendar_of(mail)[0].walk("VEVENT")
        assert (str(event["uid"]), int(event["sequence"])) == (call.uid, 1)
        assert event.decoded("dtstart") == later
    with pytest.raises(desk.DeskError, match="in the past"):
        desk.reschedule_call(call, starts_at=NOW, actor=member, now=NOW + dt.timedelta(hours=1))


def test_an_invite_not_sent_before_a_reschedule_is_cancelled_not_sent_stale(
    smtp_sink, seller, member
):
    call = scheduled(seller, member)
    desk.reschedule_call(call, starts_at=STARTS + dt.timedelta(hours=1), actor=member, now=NOW)
    deliver_due(now=NOW)
    stale = Message.objects.filter(kind="calendar", call_sequence=0)
    assert set(stale.values_list("status", "reason_code")) == {("cancelled", "call_moved")}
    assert len(invites(smtp_sink)) == 3  # the new revision only


def test_a_suppressed_prospect_gets_nothing(smtp_sink, seller, member):
    suppress_mail(["cto@globex.example"], now=NOW)
    scheduled(seller, member)
    deliver_due(now=NOW)
    held = Message.objects.get(kind="calendar", to_email="cto@globex.example")
    assert (held.status, held.reason_code) == ("held", "unsubscribed")
    assert sorted(invites(smtp_sink)) == ["ann@a.example", "seller@example.com"]


def test_a_call_is_moved_from_the_web_the_cli_and_the_api(client, smtp_sink, seller, member):
    """Each move is one more revision, and each writes the invite to the three again."""
    call = scheduled(seller, member)
    client.force_login(member)
    with time_machine.travel(NOW, tick=False):
        when = (STARTS + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        page = client.post(f"/references/calls/{call.pk}/reschedule/", {"starts_at": when})
    assert page.status_code == 302
    assert ReferenceCall.objects.get(pk=call.pk).sequence == 1
    out = StringIO()
    at = (STARTS + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    call_command(
        "references", "reschedule", str(call.pk), "--at", at, "--as", "member",
        "--as-of", NOW.isoformat(), "--json", stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["sequence"] == 2
    answer = client.post(
        f"/api/references/calls/{call.pk}/reschedule",
        {"starts_at": (STARTS + dt.timedelta(hours=3)).isoformat(), "as_of": NOW.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert ReferenceCall.objects.get(pk=call.pk).sequence == 3
    revisions = Message.objects.filter(kind="calendar").values_list("call_sequence", flat=True)
    assert sorted(set(revisions)) == [0, 1, 2, 3]
    assert len(revisions) == 12
