"""Advocacy-influenced expansion: expansions after an advocacy activity or a finished ask."""

from __future__ import annotations

from datetime import datetime

from advocacy.customers.models import Account, Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.tests.world import NOW, World, ask, at, signal
from advocacy.signals.models import Signal

Q2 = parse_period("2026-Q2", now=NOW)
_n = iter(range(1, 1000))


def expansion(account: Account, when: datetime, amount: float | None = None) -> Signal:
    return Signal.objects.create(
        source="t", key=f"x{next(_n)}", kind="expansion", account=account, occurred_at=when,
        value=amount,
    )  # fmt: skip


def newcomer(name: str, industry: str = "Retail") -> Contact:
    account = Account.objects.create(name=name, industry=industry)
    return Contact.objects.create(account=account, email=f"c@{name.lower()}.test")


def measured(segment: Segment | None = None) -> tuple[tuple, tuple]:
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    count = compute(BY_CODE["influenced_expansion"], ev)
    amount = compute(BY_CODE["influenced_expansion_amount"], ev)
    return (
        (count.value, count.numerator, count.denominator),
        (amount.value, amount.numerator, amount.denominator),
    )


def test_the_world_has_one_influenced_expansion_without_an_amount(world: World):
    assert measured() == ((1, None, 1), (0.0, 0, 1))


def test_count_and_amount_by_what_came_before(world: World):
    expansion(world.acme, at(6, 1), 12_000)  # Acme: Ada's review of 10 April
    expansion(world.acme, at(6, 2), 3_000.5)
    expansion(world.acme, at(3, 30), 99_000)  # before the period: not counted
    # Bolt: Bob's review of 1 June comes after this expansion of 20 May; the reviews of
    # December 2024 and January 2025 are more than 180 days before it.
    expansion(world.bolt, at(5, 20), 50_000)
    expansion(world.bolt, at(6, 5), 7_000)  # after Bob's review of 1 June: influenced
    assert measured() == ((4, None, 5), (22_000.5, 3, 4))


def test_the_window_is_the_180_days_before(world: World):
    early, late, same = newcomer("Early"), newcomer("Late"), newcomer("Same")
    signal(early, "reference_completed", at(11, 10, 2025))  # 181 days before 10 May
    expansion(early.account, at(5, 10), 1_000)
    signal(late, "referral_status", at(11, 12, 2025))  # 179 days before 10 May
    expansion(late.account, at(5, 10), 2_000)
    signal(same, "review_published", at(5, 10))  # the same moment is not before
    expansion(same.account, at(5, 10), 4_000)
    assert measured() == ((2, None, 4), (2_000.0, 1, 2))  # Acme's and Late's


def test_an_ask_completed_or_published_counts_one_accepted_does_not(world: World):
    done, shown, agreed = newcomer("Done"), newcomer("Shown"), newcomer("Agreed")
    ask(done, "review", at(2, 1), [("accepted", at(2, 2)), ("completed", at(2, 3))])
    ask(shown, "case_study", at(3, 1), [("accepted", at(3, 2)), ("completed", at(3, 20)),
                                        ("published", at(4, 20))])  # fmt: skip
    ask(agreed, "review", at(4, 1), [("accepted", at(4, 2))])
    for contact, amount in ((done, 10.0), (shown, 20.0), (agreed, 40.0)):
        expansion(contact.account, at(5, 15), amount)
    assert measured() == ((3, None, 4), (30.0, 2, 3))
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    listed = rows(BY_CODE["influenced_expansion"], ev).order_by("account__name")
    assert list(listed.values_list("account__name", flat=True)) == ["Acme", "Done", "Shown"]


def test_by_the_accounts_segment(world: World):
    expansion(world.bolt, at(6, 5), 7_000)  # after Bob's review of 1 June
    assert measured(Segment(industry="Finance")) == ((1, None, 1), (7_000.0, 1, 1))
    assert measured(Segment(region="na")) == ((1, None, 1), (0.0, 0, 1))
    # Expansions are account-level: a persona leaves none.
    assert measured(Segment(persona="champion")) == ((0, None, 0), (0.0, 0, 0))
