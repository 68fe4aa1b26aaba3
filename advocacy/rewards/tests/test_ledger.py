"""The ledger: append-only, a balance is the sum of entries, refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.tests.factories import make_ask
from advocacy.rewards import services
from advocacy.rewards.models import AppendOnly, Entry, EntryKind, RedemptionStatus
from advocacy.rewards.services import RewardError
from advocacy.rewards.tests.helpers import NOW, advocate, complete

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


def _snapshot() -> list[tuple[int, str, int]]:
    return list(Entry.objects.order_by("pk").values_list("pk", "kind", "amount_cents"))


def test_completing_an_activity_credits_the_per_activity_donation() -> None:
    """GIVEN an advocate WHEN an activity completes THEN $100 toward a donation, linked to it."""
    contact = advocate()
    ask = complete(contact)
    entry = Entry.objects.get(contact=contact)
    assert (entry.kind, entry.amount_cents, entry.ask_id) == ("credit", 10_000, ask.pk)
    assert entry.reward_type == "donation"
    assert services.balance(contact, NOW) == 10_000


def test_a_reward_for_a_cancelled_activity_is_refused_and_the_ledger_unchanged() -> None:
    contact = advocate()
    ask = make_ask("review", status=AskStatus.CANCELLED, contact=contact)
    before = _snapshot()
    with pytest.raises(RewardError, match="cancelled activity earns no reward"):
        services.credit(contact, 5_000, "thanks", actor=None, now=NOW, ask=ask)
    assert _snapshot() == before


def test_a_redemption_over_the_balance_is_refused_and_the_ledger_unchanged() -> None:
    contact = advocate()
    complete(contact)
    before = _snapshot()
    with pytest.raises(RewardError, match=r"\$150 is more than .* balance of \$100"):
        services.redeem(contact, 15_000, "gift_card", actor=None, now=LATER)
    assert _snapshot() == before


def test_a_donation_goes_only_to_a_listed_charity() -> None:
    contact = advocate()
    complete(contact)
    with pytest.raises(RewardError, match="501\\(c\\)\\(3\\)"):
        services.redeem(contact, 5_000, "donation", actor=None, now=LATER, charity="my-club")
    made = services.redeem(contact, 5_000, "donation", actor=None, now=LATER, charity="code-org")
    assert made.status == RedemptionStatus.REQUESTED
    assert services.balance(contact, LATER) == 5_000


def test_entries_are_never_updated_or_deleted() -> None:
    contact = advocate()
    complete(contact)
    entry = Entry.objects.get()
    entry.reason = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        Entry.objects.all().update(reason="x")
    with pytest.raises(AppendOnly):
        Entry.objects.all().delete()


def test_a_reversal_negates_once_and_keeps_the_original() -> None:
    contact = advocate()
    entry = services.credit(contact, 2_500, "a kind word", actor=None, now=NOW)
    back = services.reverse(entry, "given in error", actor=None, now=LATER)
    assert (back.kind, back.amount_cents, back.reverses_id) == ("reversal", -2_500, entry.pk)
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert services.balance(contact, LATER) == 0
    assert services.balance(contact, NOW) == 2_500  # as of before the reversal
    with pytest.raises(RewardError, match="already reversed"):
        services.reverse(entry, "again", actor=None, now=LATER)


def test_a_spent_credit_cannot_be_reversed() -> None:
    contact = advocate()
    entry = services.credit(contact, 2_500, "a kind word", actor=None, now=NOW)
    services.redeem(contact, 2_000, "product_credit", actor=None, now=NOW)
    with pytest.raises(RewardError, match="has been spent"):
        services.reverse(entry, "oops", actor=None, now=LATER)


def test_many_accounts_for_one_person_holds_the_redemption_for_review() -> None:
    one = advocate(first_name="Ada", last_name="Lovelace")
    two = advocate(first_name="ada", last_name="LOVELACE")
    services.credit(one, 10_000, "call", actor=None, now=NOW)
    services.credit(two, 10_000, "call", actor=None, now=NOW)
    held = services.redeem(two, 5_000, "gift_card", actor=None, now=LATER)
    assert held.status == RedemptionStatus.HELD
    assert "earns in 2 accounts" in held.held_reason
    with pytest.raises(RewardError, match="held ones are reviewed first"):
        services.fulfil([held.pk], "card 123", actor=None, now=LATER)
    services.release(held, actor=None, now=LATER)
    assert services.fulfil([held.pk], "card 123", actor=None, now=LATER) == 1
    held.refresh_from_db()
    assert (held.status, held.delivered) == ("fulfilled", "card 123")


def test_a_refused_redemption_gives_the_balance_back() -> None:
    contact = advocate()
    services.credit(contact, 10_000, "call", actor=None, now=NOW)
    made = services.redeem(contact, 10_000, "experience", actor=None, now=NOW)
    assert services.balance(contact, NOW) == 0
    services.refuse(made, "not available", actor=None, now=LATER)
    assert services.balance(contact, LATER) == 10_000
    assert list(Entry.objects.filter(contact=contact).values_list("kind", flat=True)) == [
        "credit",
        "debit",
        "reversal",
    ]


def test_spend_against_the_quarter_budget_and_a_redemption_past_it_is_held() -> None:
    contact = advocate()
    services.credit(contact, 50_000, "quarter", actor=None, now=NOW)
    services.set_budget("2026Q2", 30_000, actor=None, now=NOW)
    first = services.redeem(contact, 20_000, "product_credit", actor=None, now=NOW)
    second = services.redeem(contact, 20_000, "product_credit", actor=None, now=NOW)
    assert (first.status, second.status) == ("requested", "held")
    assert "past its budget of $300" in second.held_reason
    services.fulfil([first.pk], "credit applied", actor=None, now=LATER)
    spent = services.spend("2026Q2")
    assert (spent.budget_cents, spent.committed_cents, spent.fulfilled_cents) == (
        30_000,
        40_000,
        20_000,
    )
    assert (spent.remaining_cents, spent.held, spent.waiting) == (-10_000, 1, 0)


OPS = st.lists(
    st.tuples(st.sampled_from(["credit", "redeem", "reverse", "refuse"]), st.integers(1, 40_000)),
    max_size=12,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_ledger_invariants_hold_under_any_sequence(ops: list[tuple[str, int]]) -> None:
    """Whatever is attempted: the balance is the sum of entries and never below zero, a refusal
    writes nothing, no entry is reversed twice, and entries only ever accumulate."""
    Entry.objects.all()._raw_delete(Entry.objects.db)  # a fresh ledger for each example
    contact = advocate()
    seen: list[tuple[int, str, int]] = []
    for op, cents in ops:
        before = _snapshot()
        try:
            if op == "credit":
                services.credit(contact, cents, "earned", actor=None, now=NOW)
            elif op == "redeem":
                services.redeem(contact, cents, "gift_card", actor=None, now=NOW)
            elif op == "reverse":
                target = Entry.objects.filter(kind=EntryKind.CREDIT).order_by("?").first()
                if target is not None:
                    services.reverse(target, "undo", actor=None, now=NOW)
            else:
                redemption = contact.redemptions.exclude(status="refused").first()
                if redemption is not None:
                    services.refuse(redemption, "no", actor=None, now=NOW)
        except RewardError:
            assert _snapshot() == before
        rows = _snapshot()
        assert rows[: len(seen)] == seen
        seen = rows
        total = sum(amount for _, _, amount in rows)
        assert services.balance(contact, NOW) == total >= 0
        reversed_ids = list(
            Entry.objects.filter(reverses__isnull=False).values_list("reverses", flat=True)
        )
        assert len(reversed_ids) == len(set(reversed_ids))


def test_the_privacy_export_lists_the_ledger_and_redemptions() -> None:
    from advocacy.customers.holdings import HOLDINGS

    contact = advocate()
    complete(contact)
    services.redeem(contact, 5_000, "gift_card", actor=None, now=LATER)
    rows = HOLDINGS["rewards"].export(contact)
    assert [(r["type"], r["amount_cents"]) for r in rows] == [
        ("entry", 10_000),
        ("entry", -5_000),
        ("redemption", 5_000),
    ]
    assert HOLDINGS["rewards"].count(contact) == 3
