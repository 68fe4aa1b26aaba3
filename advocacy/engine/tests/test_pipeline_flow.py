"""A declined ask offers its play's fallback ask, within exclusions and tap caps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.pipeline_flow import FallbackOutcome, decline_ask, move_ask
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.tests.conftest import NOW, sent_ask
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.pipeline.services import InvalidTransition

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(days=3)


def test_a_decline_opens_the_fallback_for_review(ada: Contact, member: Any) -> None:
    """GIVEN a sent case study of the expansion play WHEN declined THEN a referral is offered."""
    ask = sent_ask(ada)
    result = decline_ask(ask, actor=member, now=LATER, policy=DEFAULT_POLICY, note="too busy")
    fallback = result.fallback
    assert fallback is not None
    assert result.fallback_outcome == FallbackOutcome.OPENED
    assert result.detail == f"fallback referral offered as ask {fallback.pk}"
    assert Ask.objects.get(pk=ask.pk).status == "declined"
    row = Ask.objects.get(pk=fallback.pk)
    assert (
        row.ask_type.code,
        row.play,
        row.moment,
        row.status,
        row.owner,
        row.owner_role,
        row.send_by,
        row.due_at,
        row.follow_up_at,
    ) == (
        "referral",
        "expansion-case-study",
        f"fallback:{ask.pk}",
        "proposed",
        member,
        "cs",
        LATER + dt.timedelta(hours=72),  # the play's timing: sent within 72 hours
        LATER + dt.timedelta(days=14),
        LATER + dt.timedelta(days=5),
    )
    declined = AskEvent.objects.get(ask=ask, to_status="declined")
    assert (declined.from_status, declined.actor, declined.note) == ("sent", member, "too busy")


def test_the_tap_cap_holds_for_the_fallback(ada: Contact, member: Any) -> None:
    """GIVEN a medium-effort ask a day before WHEN a case study is declined THEN no referral:
    the declined ask's own windows do not hold its fallback, but another ask's do."""
    from advocacy.engine.asks import AskRequest, open_asks
    from advocacy.pipeline.models import AskType

    ask = sent_ask(ada)
    referral = AskRequest(ada.pk, AskType.objects.get(code="referral"), "earlier", owner_id=None)
    earlier = NOW - dt.timedelta(days=1)
    assert open_asks([referral], now=earlier, actor=member, override_reason="by phone").granted
    result = decline_ask(ask, actor=member, now=LATER, policy=DEFAULT_POLICY)
    assert (result.fallback, result.fallback_outcome) == (None, FallbackOutcome.CAPPED)
    assert result.detail == "fallback referral not offered: the medium-effort tap cap is in force"
    assert Ask.objects.get(pk=ask.pk).status == "declined"
    referrals = Ask.objects.filter(ask_type__code="referral").values_list("moment", flat=True)
    assert list(referrals) == ["earlier"]  # no fallback beside the earlier one


def test_an_exclusion_holds_for_the_fallback(ada: Contact, member: Any) -> None:
    ask = sent_ask(ada)
    Contact.objects.filter(pk=ada.pk).update(opted_out_at=NOW)
    result = decline_ask(ask, actor=member, now=LATER, policy=DEFAULT_POLICY)
    assert result.fallback_outcome == FallbackOutcome.EXCLUDED
    assert result.detail == "fallback referral not offered: excluded: opted out"
    assert Ask.objects.count() == 1


def test_a_manual_ask_has_no_fallback(ada: Contact, member: Any) -> None:
    ask = sent_ask(ada, "review", play="")
    result = move_ask(ask, AskStatus.DECLINED, actor=member, now=LATER, policy=DEFAULT_POLICY)
    assert (result.fallback_outcome, result.detail) == (
        FallbackOutcome.NONE,
        "no fallback: the play names none",
    )
    assert Ask.objects.get(pk=ask.pk).status == "declined"


def test_only_a_sent_ask_can_be_declined(ada: Contact, member: Any) -> None:
    ask = sent_ask(ada)
    Ask.objects.filter(pk=ask.pk).update(status=AskStatus.PROPOSED)
    ask.refresh_from_db()
    with pytest.raises(InvalidTransition, match="cannot move from proposed to declined"):
        decline_ask(ask, actor=member, now=LATER, policy=DEFAULT_POLICY)
    assert Ask.objects.count() == 1
