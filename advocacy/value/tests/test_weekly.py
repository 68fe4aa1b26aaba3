"""The weekly insight goes only to those who opted in, and says their own activity too."""

from __future__ import annotations

from typing import Any

from advocacy.value import services
from advocacy.value.models import ValueMoment
from advocacy.value.periods import parse
from advocacy.value.tests.conftest import NOW, at, signal

WEEK = parse("week", "2026-W48")  # Mon 23 Nov to Mon 30 Nov 2026


def test_nobody_gets_it_without_opting_in(world: dict[str, Any]) -> None:
    assert services.send("weekly", WEEK, now=NOW).recipients == 0


def test_opted_in_then_out(world: dict[str, Any]) -> None:
    services.set_weekly(world["bo"], True, now=NOW, where="portal")
    services.set_weekly(world["ada"], True, now=NOW, where="staff")
    services.set_weekly(world["ada"], False, now=NOW, where="portal")
    sent = services.send("weekly", WEEK, now=NOW)
    assert (sent.recipients, sent.written) == (1, 1)
    assert ValueMoment.objects.get().contact == world["bo"]
    assert services.weekly_of(world["bo"]) and not services.weekly_of(world["ada"])


def test_the_weekly_email_says_the_week(world: dict[str, Any]) -> None:
    signal(world["acme"], "activity", at("2026-11-17"), contact=world["bo"])  # the week before
    signal(world["acme"], "activity", at("2026-11-24"), contact=world["bo"])
    email = services.preview("weekly", world["bo"], WEEK)
    assert email.subject == "Your Beacon week: the week of 23 Nov 2026"
    body = email.text.split("\n--\n")[0]
    assert body == (
        "Hi Bo,\n\n"
        "Here is what Acme did with Beacon in the week of 23 Nov 2026.\n\n"
        "- 1 person at Acme used Beacon this week, the same as in the week of 16 Nov 2026.\n"
        "- 1 product activity recorded this week, the same as in the week of 16 Nov 2026.\n"
        "- You: 1 activity this week, the same as in the week of 16 Nov 2026.\n"
        "- Account health: 82.5, up from 78.\n"
        "- No new milestone this week.\n\n"
        "See more in your portal: "
        "http://127.0.0.1:8000/portal/enter/PREVIEW-the-advocate-gets-their-own-link/\n\n"
        "You get this weekly because you asked for it; you can stop it in your portal.\n"
    )


def test_the_privacy_export_lists_them(world: dict[str, Any]) -> None:
    from advocacy.value.personal import export_value

    services.set_weekly(world["bo"], True, now=NOW, where="portal")
    services.send("weekly", WEEK, now=NOW)
    assert export_value(world["bo"]) == [
        {
            "type": "value_moment",
            "kind": "weekly",
            "period": "2026-W48",
            "written_at": "2026-12-02T12:00:00+00:00",
        },
        {
            "type": "weekly_insights",
            "weekly": True,
            "set_in": "portal",
            "set_at": "2026-12-02T12:00:00+00:00",
        },
    ]
