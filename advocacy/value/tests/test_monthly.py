"""The monthly admin insight: its numbers from the account's own signals, its email, its
recipients, and a rerun that sends nothing twice."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.messaging.models import Message, MessageKind
from advocacy.value import services
from advocacy.value.models import ValueMoment
from advocacy.value.periods import parse
from advocacy.value.tests.conftest import NOW

NOVEMBER = parse("month", "2026-11")


def test_the_payload_counts_the_month_and_the_one_before(world: dict[str, Any]) -> None:
    found = services.payloads("monthly", [(world["ada"].pk, world["acme"].pk)], NOVEMBER)
    assert found[world["ada"].pk] == {
        "moment": "monthly",
        "period": "2026-11",
        "period_words": "November 2026",
        "before_words": "October 2026",
        "unit": "month",
        "company": "Acme",
        "people": 2,
        "people_before": 1,
        "activities": 3,
        "activities_before": 2,
        "milestones": [
            {"on": "2026-11-04", "text": "100 dashboards built"},
            {"on": "2026-11-18", "text": "every team onboarded"},
        ],
        "health": 82.5,
        "health_before": 78.0,
    }


def test_the_email_says_adoption_milestones_and_health(world: dict[str, Any]) -> None:
    email = services.preview("monthly", world["ada"], NOVEMBER)
    assert email.subject == "Acme's Beacon insights for November 2026"
    assert email.to == "ada@acme.example"
    assert email.headers["From"] == "member <member@example.com>"
    body = email.text.split("\n--\n")[0]
    assert body == (
        "Hi Ada,\n\n"
        "Here is what Acme did with Beacon in November 2026.\n\n"
        "- 2 people at Acme used Beacon this month, up from 1 in October 2026.\n"
        "- 3 product activities recorded this month, up from 2 in October 2026.\n"
        "- Account health: 82.5, up from 78.\n\n"
        "Milestones reached:\n"
        "- 4 Nov 2026: 100 dashboards built\n"
        "- 18 Nov 2026: every team onboarded\n\n"
        "See more in your portal: "
        "http://127.0.0.1:8000/portal/enter/PREVIEW-the-advocate-gets-their-own-link/\n"
    )
    assert "<li>Account health: 82.5, up from 78.</li>" in email.html
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_quiet_month_says_so(world: dict[str, Any]) -> None:
    october = parse("month", "2026-09")
    email = services.preview("monthly", world["ada"], october)
    assert "- 0 people at Acme used Beacon this month, the same as in August 2026." in email.text
    assert "- No new milestone this month." in email.text
    assert "Account health" not in email.text  # no score recorded by the end of September


def test_it_goes_to_the_admins_only_and_once_per_month(world: dict[str, Any]) -> None:
    sent = services.send("monthly", NOVEMBER, now=NOW)
    assert sent.as_dict() == {
        "kind": "monthly",
        "period": "2026-11",
        "recipients": 1,
        "written": 1,
        "already": 0,
    }
    message = Message.objects.get(kind=MessageKind.VALUE)
    assert message.contact == world["ada"]
    assert message.payload["people"] == 2
    assert ValueMoment.objects.get().message == message
    again = services.send("monthly", NOVEMBER, now=NOW)
    assert (again.written, again.already) == (0, 1)
    assert Message.objects.filter(kind=MessageKind.VALUE).count() == 1
    # A new admin gets the month; the first one still has it once.
    Contact.objects.create(account=world["acme"], email="cy@acme.example", persona="admin")
    third = services.send("monthly", NOVEMBER, now=NOW)
    assert (third.recipients, third.written, third.already) == (2, 1, 1)
    assert ValueMoment.objects.filter(period="2026-11").count() == 2


def test_a_row_that_lost_the_race_is_not_left_behind(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another send writes the month between this one's read of who lacks it and its insert:
    this one's moment is dropped by the constraint and its outbox row deleted with it."""
    real = services.payloads

    def racing(kind: str, chunk: Any, span: Any) -> Any:
        monkeypatch.setattr(services, "payloads", real)
        assert services.send("monthly", NOVEMBER, now=NOW).written == 1  # the other one
        return real(kind, chunk, span)

    monkeypatch.setattr(services, "payloads", racing)
    sent = services.send("monthly", NOVEMBER, now=NOW)
    assert (sent.written, sent.already) == (0, 1)
    assert Message.objects.filter(kind=MessageKind.VALUE).count() == 1
    assert ValueMoment.objects.get().message == Message.objects.get(kind=MessageKind.VALUE)


def test_someone_who_left_gets_nothing(world: dict[str, Any]) -> None:
    Contact.objects.filter(pk=world["ada"].pk).update(left_company_at=NOW.replace(month=10))
    assert services.send("monthly", NOVEMBER, now=NOW).recipients == 0


def test_a_month_not_over_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(services.MomentError, match="2026-12 is not over yet"):
        services.span_of("monthly", "2026-12", now=NOW)
    with pytest.raises(services.MomentError, match="'2026-13' is not a month"):
        services.span_of("monthly", "2026-13", now=NOW)
    assert services.span_of("monthly", None, now=NOW).label == "2026-11"


def test_a_chunk_of_admins_costs_the_same_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        Contact.objects.create(account=world["acme"], email=f"a{i}@acme.example", persona="admin")
    with django_assert_max_num_queries(12):
        sent = services.send("monthly", NOVEMBER, now=NOW)
    assert sent.written == 31
