"""Ask many at once (`ask_many`): each contact the rules and caps allow is asked through
`open_asks`; each other one is refused with the engine's reason code and words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.bulk import BULK_MAX, TooMany, ask_many
from advocacy.engine.models import AskTypePreference
from advocacy.engine.services import current_policy
from advocacy.pipeline.models import Ask, AskEvent, AskType
from advocacy.signals.tests.promoters import customer

pytestmark = pytest.mark.django_db


def test_the_allowed_are_asked_and_each_refusal_is_explained(member: Any) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    bob = customer("bob@bob.example", at=now, nps=6)  # a detractor: excluded
    cat = customer("cat@cat.example", at=now)
    dan = customer("dan@dan.example", at=now)
    review = AskType.objects.get(code="review")
    quote = AskType.objects.get(code="testimonial_quote")
    # Cat was asked for a quote ten days ago: the low-effort window is shut for a month.
    assert open_asks([AskRequest(cat.pk, quote, "x")], now=now - dt.timedelta(days=10)).opened
    AskTypePreference.objects.create(contact=dan, ask_type=review, willing=False, updated_at=now)

    result = ask_many(
        [ann, bob, cat, dan, ann],
        review,
        now=now,
        actor=member,
        policy=current_policy(),
        note="met at the user group",
    )

    assert [a.contact_id for a in result.opened] == [ann.pk]
    ask = Ask.objects.get(contact=ann)
    assert (ask.ask_type.code, ask.owner_id, ask.play, ask.status) == (
        "review", member.pk, "", "proposed"
    )  # fmt: skip
    assert AskEvent.objects.get(ask=ask).note == "opened by hand; met at the user group"
    refused = {r.email: (r.code, r.reason) for r in result.refused}
    assert list(refused) == ["bob@bob.example", "cat@cat.example", "dan@dan.example"]
    assert refused["bob@bob.example"][0] == "nps_below_min, excluded_dissatisfied"
    assert refused["cat@cat.example"][0] == "cap_low_effort"
    assert refused["cat@cat.example"][1].startswith(
        "tap cap: cat@cat.example may be asked one ask of low effort or higher per 30 days; "
        "the next is allowed from "
    )
    assert refused["dan@dan.example"][0] == "not_willing"
    assert Ask.objects.filter(contact__in=[bob, dan]).count() == 0
    assert result.as_dict()["opened"] == [
        {"id": ask.pk, "contact_id": ann.pk, "status": "proposed"}
    ]


def test_a_bulk_ask_costs_the_same_queries_for_few_or_many(
    member: Any, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    review = AskType.objects.get(code="review")
    policy = current_policy()
    few = [customer(f"a{i}@few{i}.example", at=now) for i in range(2)]
    many = [customer(f"b{i}@many{i}.example", at=now) for i in range(25)]
    with django_assert_max_num_queries(40) as counted:
        ask_many(few, review, now=now, actor=member, policy=policy)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        result = ask_many(many, review, now=now, actor=member, policy=policy)
    assert len(result.opened) == 25


def test_more_than_the_limit_is_refused_before_anything_is_written(member: Any) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    review = AskType.objects.get(code="review")
    fakes = [type(ann)(pk=i, email=f"x{i}@x.example") for i in range(1, BULK_MAX + 2)]
    with pytest.raises(TooMany, match=f"at most {BULK_MAX} contacts in one bulk ask; 501 given"):
        ask_many(fakes, review, now=now, actor=member, policy=current_policy())
    assert Ask.objects.count() == 0
