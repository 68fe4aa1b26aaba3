"""Referral bonuses credited into the ledger as referrals move, once per referral and event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from advocacy.referrals.models import ReferralStatus
from advocacy.referrals.services import ReferralError, move
from advocacy.referrals.tests.world import NOW, advocate, refer
from advocacy.rewards import services
from advocacy.rewards.models import Entry, EntryKind

pytestmark = pytest.mark.django_db
S = ReferralStatus
DAY = dt.timedelta(days=1)


def _to_qualified(deal_cents: int | None = None) -> Any:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    return move(made, S.QUALIFIED, actor=None, now=NOW + DAY, deal_cents=deal_cents)


def _bonuses() -> list[tuple[int, str, int | None]]:
    return list(Entry.objects.values_list("amount_cents", "reason", "referral_id"))


def test_a_meeting_booked_earns_100_dollars() -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    assert _bonuses() == [(100_00, "Referral bonus: meeting booked", made.pk)]
    assert services.balance(made.advocate, NOW) == 100_00


@pytest.mark.parametrize(
    ("deal_cents", "bonus_cents", "reason"),
    [
        (None, 1_000_00, "Referral bonus: deal closed"),
        (99_999_99, 1_000_00, "Referral bonus: deal closed"),  # a cent below the line
        (100_000_00, 5_000_00, "Referral bonus: enterprise deal closed"),  # at it
        (100_000_01, 5_000_00, "Referral bonus: enterprise deal closed"),  # above it
        (2_500_000_00, 5_000_00, "Referral bonus: enterprise deal closed"),
    ],
)
def test_a_closed_deal_earns_its_bonus_the_enterprise_one_replacing_it(
    deal_cents: int | None, bonus_cents: int, reason: str
) -> None:
    made = _to_qualified()
    move(made, S.CLOSED_WON, actor=None, now=NOW + 2 * DAY, deal_cents=deal_cents)
    assert _bonuses() == [
        (100_00, "Referral bonus: meeting booked", made.pk),
        (bonus_cents, reason, made.pk),
    ]
    assert services.balance(made.advocate, NOW + 2 * DAY) == 100_00 + bonus_cents


def test_the_deal_amount_given_earlier_decides_the_bonus(member: Any) -> None:
    made = _to_qualified(deal_cents=150_000_00)
    move(made, S.CLOSED_WON, actor=member, now=NOW + 2 * DAY)
    entry = Entry.objects.get(key=f"referral:{made.pk}:closed_won")
    assert (entry.amount_cents, entry.actor, entry.quarter) == (5_000_00, member, "2026Q2")


def test_moving_back_and_forth_pays_a_bonus_once() -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    move(made, S.SUBMITTED, actor=None, now=NOW + DAY)
    move(made, S.MEETING_BOOKED, actor=None, now=NOW + 2 * DAY)
    assert Entry.objects.count() == 1


def test_closed_lost_after_a_bonus_reverses_nothing_until_someone_does() -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    move(made, S.CLOSED_LOST, actor=None, now=NOW + DAY)
    bonus = Entry.objects.get()
    assert services.balance(made.advocate, NOW + DAY) == 100_00
    reversal = services.reverse(bonus, "the meeting never happened", actor=None, now=NOW + DAY)
    assert (reversal.kind, reversal.amount_cents, reversal.referral_id) == (
        EntryKind.REVERSAL,
        -100_00,
        made.pk,
    )
    assert services.balance(made.advocate, NOW + DAY) == 0


def test_a_refused_move_leaves_the_ledger_unchanged() -> None:
    made = refer(advocate())
    with pytest.raises(ReferralError):
        move(made, S.CLOSED_WON, actor=None, now=NOW, deal_cents=500_000_00)
    assert Entry.objects.count() == 0


def test_the_database_holds_one_bonus_per_referral_and_event() -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            contact=made.advocate,
            kind=EntryKind.CREDIT,
            amount_cents=1,
            reason="again",
            referral=made,
            key=f"referral:{made.pk}:meeting_booked",
            quarter="2026Q2",
            at=NOW,
        )


def test_the_bonus_file_is_a_setting(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "bonuses.yaml"
    path.write_text(
        "version: 1\nmeeting_booked: 50\nclosed_won: 1000\n"
        "enterprise: 5000\nenterprise_min_dollars: 100000\n"
    )
    settings.REFERRAL_BONUSES = str(path)
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    assert _bonuses() == [(50_00, "Referral bonus: meeting booked", made.pk)]


def test_moves_from_the_cli_credit_once_and_a_refused_one_writes_nothing(seller: Any) -> None:
    made = refer(advocate())
    with pytest.raises(CommandError):
        call_command("referrals", "move", str(made.pk), "closed_won", "--as", seller.username)
    assert Entry.objects.count() == 0
    call_command("referrals", "move", str(made.pk), "meeting_booked", "--as", seller.username)
    assert list(Entry.objects.values_list("amount_cents", "actor__username")) == [
        (100_00, "seller")
    ]
