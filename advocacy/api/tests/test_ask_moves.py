"""/api/asks/{id}/transitions and /decline: the transition table holds here too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from advocacy.api.tests.conftest import customer, signal
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.plays import load_playbook
from advocacy.pipeline.models import TRANSITIONS, Ask, AskStatus, AskType

pytestmark = pytest.mark.django_db


def sent_ask(code: str = "case_study", play: str = "expansion-case-study") -> Ask:
    """An ask sent just now, routed to the account's owner, to an advocate the gate lets through
    (a result shared recently: a declined case study's fallback referral may be asked)."""
    now = timezone.now()
    load_playbook(now=now)
    contact = customer("ada@acme.example", at=now)
    signal(contact, "result_shared", now - dt.timedelta(days=30), account_wide=True)
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        "signal:1",
        play=play,
        status=AskStatus.SENT,
        owner_id=contact.account.owner_id,
        owner_role="cs",
        channel="csm",
    )
    return open_asks([request], now=now).opened[0]


def move(api: Any, ask: Ask, to: str, note: str = "") -> Any:
    return api.post(f"/api/asks/{ask.pk}/transitions", {"to": to, "note": note})


@pytest.mark.parametrize("source", [AskStatus.SENT, AskStatus.COMPLETED])
def test_only_the_declared_moves_succeed(api: Any, source: str) -> None:
    ask = sent_ask("review", play="")
    for target in AskStatus.values:
        Ask.objects.filter(pk=ask.pk).update(status=source)
        response = move(api, ask, target)
        if target in TRANSITIONS[source]:
            assert (response.status_code, response.json()["status"]) == (200, target)
        else:
            assert response.status_code == 409, target
            assert response.json()["detail"].startswith(f"ask {ask.pk}: cannot move from {source}")
            assert Ask.objects.get(pk=ask.pk).status == source


def test_a_move_answers_with_the_ask_and_its_events(api: Any, owner: Any) -> None:
    ask = sent_ask()
    response = move(api, ask, "accepted", note="call booked")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (ask.pk, "accepted")
    assert [
        (e["from_status"], e["to_status"], e["actor_id"], e["note"]) for e in body["events"]
    ] == [
        ("", "sent", None, "opened by play expansion-case-study"),
        ("sent", "accepted", owner.pk, "call booked"),
    ]


def test_a_refused_move_is_409_naming_the_allowed_moves(api: Any) -> None:
    ask = sent_ask()
    response = move(api, ask, "published")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"ask {ask.pk}: cannot move from sent to published; "
        "allowed from sent: accepted, declined, expired, cancelled"
    }
    assert move(api, ask, "won").status_code == 422
    assert api.post("/api/asks/999999/transitions", {"to": "sent"}).status_code == 404


def test_moving_needs_the_write_scope(make_client: Any) -> None:
    ask = sent_ask()
    assert move(make_client("read"), ask, "accepted").status_code == 403
    assert Ask.objects.get(pk=ask.pk).status == "sent"


def test_decline_offers_the_fallback(api: Any) -> None:
    ask = sent_ask()
    response = api.post(f"/api/asks/{ask.pk}/decline", {"note": "not now"})
    assert response.status_code == 200
    body = response.json()
    fallback = Ask.objects.get(moment=f"fallback:{ask.pk}")
    assert (body["ask"]["status"], body["fallback_outcome"], body["detail"]) == (
        "declined",
        "opened",
        f"fallback referral offered as ask {fallback.pk}",
    )
    assert (body["fallback"]["id"], body["fallback"]["ask_type"], body["fallback"]["status"]) == (
        fallback.pk,
        "referral",
        "proposed",
    )
    again = api.post(f"/api/asks/{ask.pk}/decline", {})
    assert again.status_code == 409
    assert "allowed from declined: none (declined is final)" in again.json()["detail"]
