"""Matching: ranked candidates that pass policy and caps, with the reasons for each rank."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import AskTypePreference
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import AskType
from advocacy.references.matching import PER_ACCOUNT, Need, rank
from advocacy.references.models import ReferenceAdvocate
from advocacy.references.tests.world import NOW, advocate, refresh, signal

pytestmark = pytest.mark.django_db
NEED = Need(
    industry="saas",
    region="emea",
    size_band="enterprise",
    products=("Core Platform", "Billing"),
    use_case="usage-based billing",
)


def emails(need: Need = NEED, now: dt.datetime = NOW, **kw: object) -> list[str]:
    return [c.email for c in rank(need, now=now, policy=DEFAULT_POLICY, **kw)]  # type: ignore[arg-type]


def test_the_best_fit_ranks_first_with_its_reasons() -> None:
    advocate("ann@fit.example", products=("Core Platform", "Billing"))
    advocate("bob@region.example", region="apac")
    advocate("cat@other.example", industry="Retail", region="na", size_band="smb",
             use_cases=())  # fmt: skip
    refresh()

    found = rank(NEED, now=NOW, policy=DEFAULT_POLICY)

    assert [c.email for c in found] == [
        "ann@fit.example", "bob@region.example", "cat@other.example"
    ]  # fmt: skip
    assert found[0].reasons == [
        "same industry (saas) +3",
        "same region (Europe, Middle East & Africa) +2",
        "same size band (Enterprise (1,000-9,999)) +2",
        "uses Core Platform, Billing +2",
        "same use case (usage-based billing) +2",
        "never asked before (rested) +3",
    ]
    assert (found[0].score, found[0].fit, found[0].rest, found[0].outcomes) == (14, 11, 3, 0)
    assert (found[1].score, found[2].score) == (11, 4)
    assert found[2].reasons == ["uses Core Platform +1", "never asked before (rested) +3"]


def test_rested_advocates_rank_before_recently_asked_ones() -> None:
    tired = advocate("tired@a.example")
    advocate("rested@b.example")
    # A low-effort ask 10 days ago: no medium cap, but the advocate was tapped recently.
    review = AskType.objects.get(code="review")
    opened = open_asks([AskRequest(tired.pk, review, "manual:x")], now=NOW - dt.timedelta(days=10))
    assert len(opened.opened) == 1
    refresh()

    found = rank(NEED, now=NOW, policy=DEFAULT_POLICY)

    assert [c.email for c in found] == ["rested@b.example", "tired@a.example"]
    assert found[1].reasons[-1] == "last asked 10 days ago +0"


def test_excluded_and_capped_contacts_never_appear() -> None:
    advocate("ok@ok.example")
    advocate("nda@nda.example", nda=True)  # a reference call names the customer: NDA excludes
    advocate("churn@churn.example", churn_risk=True)
    advocate("comp@comp.example", competitor_adjacent=True)
    advocate("low@low.example", nps=8)  # the gate fails
    advocate("sad@sad.example", health=40)
    ticket = advocate("ticket@ticket.example")
    signal(ticket.account, "ticket_opened", None, at=NOW - dt.timedelta(days=5))
    signal(ticket.account, "ticket_closed", None, at=NOW - dt.timedelta(days=4))
    reference_call = AskType.objects.get(code="reference_call")
    capped = advocate("capped@capped.example")  # its own limit: one reference call a month
    asked = NOW - dt.timedelta(days=25)
    assert open_asks([AskRequest(capped.pk, reference_call, "manual:y")], now=asked).opened
    chose = advocate("chose@chose.example")  # up to three a month, at the advocate's choice
    AskTypePreference.objects.create(
        contact=chose, ask_type=reference_call, max_asks=3, updated_at=NOW
    )
    assert open_asks([AskRequest(chose.pk, reference_call, "manual:y")], now=asked).opened
    busy = advocate("busy@busy.example")  # outside the effort windows: a referral does not cap
    referral = AskType.objects.get(code="referral")
    assert open_asks([AskRequest(busy.pk, referral, "manual:y")], now=NOW).opened
    refresh()

    assert emails() == ["ok@ok.example", "chose@chose.example", "busy@busy.example"]
    # The ticket's quiet period lapses 14 days after it was opened, the month of the capped
    # advocate's reference call too: matching sees both itself.
    later = NOW + dt.timedelta(days=10)
    expected = ["busy", "capped", "chose", "ok", "ticket"]
    assert sorted(emails(now=later)) == [f"{name}@{name}.example" for name in expected]


def test_a_rule_that_holds_for_approval_is_named_not_dropped() -> None:
    advocate("ok@ok.example")
    advocate("sens@sens.example", sensitive_industry=True)  # case by case (policy's default)
    refresh()

    found = rank(NEED, now=NOW, policy=DEFAULT_POLICY)

    assert [c.email for c in found] == ["ok@ok.example", "sens@sens.example"]
    assert found[0].reasons[-1] == "never asked before (rested) +3"
    assert found[1].reasons[-1] == "for your approval: sensitive industry: case by case"
    assert found[1].score == found[0].score


def test_the_quiet_period_holds_up_to_the_moment_it_lapses() -> None:
    ticket = advocate("ticket@ticket.example")
    opened = NOW - dt.timedelta(days=5)
    signal(ticket.account, "ticket_opened", None, at=opened)
    signal(ticket.account, "ticket_closed", None, at=opened + dt.timedelta(hours=1))
    refresh()
    lapse = opened + dt.timedelta(days=14)
    assert ReferenceAdvocate.objects.get().quiet_until == lapse

    assert emails(now=lapse) == []
    assert emails(now=lapse + dt.timedelta(seconds=1)) == ["ticket@ticket.example"]


def test_changes_since_the_refresh_are_caught_by_the_live_recheck() -> None:
    gone = advocate("gone@gone.example")
    newly_capped = advocate("cap@cap.example")
    advocate("ok@ok.example")
    refresh()
    gone.opted_out_at = NOW - dt.timedelta(hours=1)
    gone.save()
    reference_call = AskType.objects.get(code="reference_call")  # say, opened by a play
    assert open_asks([AskRequest(newly_capped.pk, reference_call, "play:z")], now=NOW).opened
    assert ReferenceAdvocate.objects.count() == 3  # the pool has not been refreshed

    assert emails() == ["ok@ok.example"]


def test_matching_costs_the_same_queries_for_few_or_many(
    django_assert_max_num_queries: object,
) -> None:
    for i in range(30):
        advocate(f"a{i}@n{i}.example")
    refresh()
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        found = rank(NEED, now=NOW, policy=DEFAULT_POLICY, limit=10)
    assert len(found) == 10


def colleague(of: Contact, email: str) -> Contact:
    """Another contact of `of`'s account, with the same scores: a tie with `of`."""
    first, _, last = email.split("@")[0].partition(".")
    contact = Contact.objects.create(
        account=of.account, email=email, first_name=first.title(), last_name=last.title()
    )
    recently = NOW - dt.timedelta(days=3)
    signal(of.account, "nps", 10, contact=contact, at=recently)
    signal(of.account, "activity", None, contact=contact, at=recently)
    return contact


def test_ties_spread_across_accounts_two_at_most_of_one() -> None:
    big = advocate("a0@big.example")
    for i in range(1, 6):
        colleague(big, f"a{i}@big.example")
    mid = advocate("b0@mid.example")
    for i in range(1, 4):
        colleague(mid, f"b{i}@mid.example")
    advocate("c0@small.example")
    refresh()

    found = rank(NEED, now=NOW, policy=DEFAULT_POLICY, limit=10)

    assert {c.score for c in found} == {13}  # all tie on score
    assert [c.email for c in found] == [
        "a0@big.example", "a1@big.example", "b0@mid.example", "b1@mid.example",
        "c0@small.example",
    ]  # fmt: skip
    assert [c.account for c in found] == ["Big", "Big", "Mid", "Mid", "Small"]
    assert PER_ACCOUNT == 2
    # Without the limit, the same order carries on into each account's other contacts.
    unlimited = [c.email for c in rank(NEED, now=NOW, policy=DEFAULT_POLICY, per_account=0)]
    assert len(unlimited) == 10
    assert unlimited[:3] == ["a0@big.example", "a1@big.example", "a2@big.example"]


def test_among_equal_scores_the_longest_rested_then_the_least_called_comes_first() -> None:
    for name in ("ann", "bob", "cat", "dan"):
        advocate(f"{name}@{name}.example")
    refresh()
    month = NOW - dt.timedelta(days=40)  # both +1 for rest (30+ days)
    longer = NOW - dt.timedelta(days=50)
    ReferenceAdvocate.objects.filter(contact__email="ann@ann.example").update(
        last_tapped_at=month, calls_completed=1
    )
    ReferenceAdvocate.objects.filter(contact__email="bob@bob.example").update(
        last_tapped_at=longer, calls_completed=1
    )
    ReferenceAdvocate.objects.filter(contact__email="cat@cat.example").update(
        last_tapped_at=month, calls_completed=3
    )

    found = rank(NEED, now=NOW, policy=DEFAULT_POLICY)

    # dan: never asked (+3 for rest), ahead on score; the three others tie at 12 (+1 for
    # rest, +1 for the calls held).
    assert [(c.email, c.score) for c in found] == [
        ("dan@dan.example", 13),
        ("bob@bob.example", 12),
        ("ann@ann.example", 12),
        ("cat@cat.example", 12),
    ]
    # The same order every time.
    assert [c.email for c in rank(NEED, now=NOW, policy=DEFAULT_POLICY)] == [c.email for c in found]
