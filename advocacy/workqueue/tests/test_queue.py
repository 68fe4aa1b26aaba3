"""The work queue: each section finds what waits, most urgent first, with the action offered
to the person's role, in every interface."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from advocacy.content.models import Asset, AssetStatus
from advocacy.content.tests.conftest import advocate, case_study
from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.tests.factories import NOW, make_ask, make_contact
from advocacy.references.models import ReferenceRequest, RequestStatus
from advocacy.workqueue.queue import work_queue

pytestmark = pytest.mark.django_db
CODES = ["overdue", "missed_window", "approvals", "unfilled", "consents", "replies"]


def request_for(seller: Any, company: str, needed_in_days: int, status: str = "open") -> int:
    return ReferenceRequest.objects.create(
        opportunity=f"{company} renewal", prospect_company=company, industry="SaaS",
        needed_by=(NOW + dt.timedelta(days=needed_in_days)).date(), requested_by=seller,
        status=status, filed_at=NOW, updated_at=NOW,
    ).pk  # fmt: skip


@pytest.fixture
def program(owner: Any, member: Any, seller: Any) -> dict[str, Any]:
    ada = make_contact()
    late = make_ask(status=AskStatus.SENT, contact=ada, due_at=NOW - dt.timedelta(days=3))
    later = make_ask(status=AskStatus.SENT, due_at=NOW - dt.timedelta(days=1), owner=member)
    make_ask(status=AskStatus.SENT, due_at=NOW + dt.timedelta(days=1))  # not yet due
    unsent = make_ask(status=AskStatus.QUEUED, send_by=NOW - dt.timedelta(hours=2))
    make_ask(status=AskStatus.QUEUED, send_by=NOW + dt.timedelta(hours=2))  # still in time
    draft = case_study(advocate("grace@hopper.example"), actor=member)
    expiring = case_study(advocate("ada@acme.example"))
    Asset.objects.filter(pk=expiring.pk).update(
        status=AssetStatus.PUBLISHED, consent_expires_at=NOW + dt.timedelta(days=10)
    )
    far = case_study(advocate("mary@somerville.example"))
    Asset.objects.filter(pk=far.pk).update(
        status=AssetStatus.PUBLISHED, consent_expires_at=NOW + dt.timedelta(days=90)
    )
    urgent = request_for(seller, "Globex", 2)
    request_for(seller, "Initech", 9)
    request_for(seller, "Hooli", 1, status=RequestStatus.OFFERED)  # an advocate is offered
    Notice.objects.create(
        key="ask_accepted:1", kind=NoticeKind.ASK_ACCEPTED, contact=ada, ask=late,
        recipient=owner, text="Ada said yes to the review", at=NOW - dt.timedelta(days=1),
    )  # fmt: skip
    Notice.objects.create(
        key="old", kind=NoticeKind.ASK_DECLINED, contact=ada, recipient=owner,
        text="too old", at=NOW - dt.timedelta(days=20),
    )  # fmt: skip
    Notice.objects.create(
        key="team", kind=NoticeKind.ASK_OVERDUE, contact=ada, recipient=owner,
        text="the team's own news, not a reply", at=NOW,
    )  # fmt: skip
    return {
        "late": late.pk, "later": later.pk, "unsent": unsent.pk, "draft": draft.pk,
        "expiring": expiring.pk, "urgent": urgent,
    }  # fmt: skip


def test_each_section_finds_what_waits_most_urgent_first(owner: Any, program: Any) -> None:
    sections = {s.code: s for s in work_queue(owner, now=NOW)}

    assert list(sections) == CODES
    found = {code: [(i.target, i.target_id) for i in s.items] for code, s in sections.items()}
    assert found["overdue"] == [("ask", program["late"]), ("ask", program["later"])]
    assert found["missed_window"] == [("ask", program["unsent"])]
    assert found["approvals"] == [("asset", program["draft"])]
    assert found["consents"] == [("asset", program["expiring"])]
    assert found["unfilled"][0] == ("request", program["urgent"])
    assert [s.total for s in sections.values()] == [2, 1, 1, 2, 1, 1]
    assert [i.text for i in sections["replies"].items] == ["Ada said yes to the review"]
    assert sections["overdue"].items[0].text.endswith("was due 29 May")
    assert sections["unfilled"].items[0].text == "Globex, Globex renewal: needed by 3 Jun"


def test_the_action_follows_the_role(owner: Any, viewer: Any, seller: Any, program: Any) -> None:
    def actions(user: Any) -> dict[str, str]:
        return {s.code: s.items[0].action for s in work_queue(user, now=NOW) if s.items}

    assert actions(owner) == {
        "overdue": "Follow up", "missed_window": "Send now", "approvals": "Review",
        "unfilled": "Find a reference", "consents": "Ask to renew", "replies": "Open",
    }  # fmt: skip
    assert set(actions(viewer).values()) == {"Open"}
    assert actions(seller)["unfilled"] == "Open"


def test_mine_keeps_the_persons_own_work(member: Any, seller: Any, program: Any) -> None:
    mine = {s.code: [i.target_id for i in s.items] for s in work_queue(member, now=NOW, mine=True)}
    assert mine["overdue"] == [program["later"]]
    assert mine["approvals"] == [program["draft"]]
    assert mine["unfilled"] == []
    theirs = {s.code: s.total for s in work_queue(seller, now=NOW, mine=True)}
    assert theirs["unfilled"] == 2


def test_the_limit_bounds_the_items_not_the_total(owner: Any, program: Any) -> None:
    overdue = work_queue(owner, now=NOW, limit=1)[0]
    assert (len(overdue.items), overdue.total) == (1, 2)


def test_the_queue_takes_a_bounded_number_of_queries(
    owner: Any, program: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        work_queue(owner, now=NOW, limit=1)


def test_an_empty_program_has_an_empty_queue(owner: Any) -> None:
    assert [s.total for s in work_queue(owner, now=NOW)] == [0] * 6


def test_home_shows_the_queue_with_its_actions(owner: Any, program: Any) -> None:
    client = Client()
    client.force_login(owner)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/").content.decode()
    assert 'data-testid="work-queue"' in page
    assert f'href="/asks/{program["late"]}/">Follow up</a>' in page
    assert f'href="/references/{program["urgent"]}/">Find a reference</a>' in page
    assert f'href="/content/{program["expiring"]}/">Ask to renew</a>' in page
    assert page.index('data-testid="work-queue"') < page.index('data-testid="stats"')


def test_home_says_when_nothing_waits(owner: Any) -> None:
    make_contact()
    client = Client()
    client.force_login(owner)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/?mine=1").content.decode()
    assert 'data-testid="queue-empty"' in page


def test_the_command_prints_the_queue(owner: Any, program: Any) -> None:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("queue", "--as", "owner", "--json", stdout=out)
    sections = json.loads(out.getvalue())["sections"]
    assert [s["code"] for s in sections] == CODES
    assert sections[0]["items"][0] == {
        "target": "ask", "target_id": program["late"], "at": "2026-05-29T12:00:00+00:00",
        "text": sections[0]["items"][0]["text"], "action": "Follow up",
    }  # fmt: skip
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("queue", "--limit", "1", stdout=out)
    text = out.getvalue()
    assert "Asks overdue (2)" in text
    assert "  … and 1 more" in text


def test_the_command_refuses_mine_without_a_person() -> None:
    with pytest.raises(CommandError, match="--mine needs --as USER"):
        call_command("queue", "--mine")
    with pytest.raises(CommandError, match="no user named"):
        call_command("queue", "--as", "nobody")


def test_the_api_serves_the_queue_to_every_role(viewer: Any, program: Any) -> None:
    client = Client()
    assert client.get("/api/queue").status_code == 401
    client.force_login(viewer)
    with time_machine.travel(NOW, tick=False):
        body = client.get("/api/queue?limit=1").json()
    assert [(s["code"], s["total"], len(s["items"])) for s in body["sections"]] == [
        ("overdue", 2, 1), ("missed_window", 1, 1), ("approvals", 1, 1),
        ("unfilled", 2, 1), ("consents", 1, 1), ("replies", 0, 0),
    ]  # fmt: skip
    assert client.get("/api/queue?limit=0").status_code == 422
