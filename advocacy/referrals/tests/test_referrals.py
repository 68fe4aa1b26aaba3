"""Referrals: codes, submitting, the first referrer winning, customers refused, moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from advocacy.customers.models import Account, Contact
from advocacy.referrals.models import Referral, ReferralCode, ReferralEvent, ReferralStatus
from advocacy.referrals.services import (
    ReferralError,
    advocate_by_code,
    code_for,
    codes_for,
    move,
)
from advocacy.referrals.tests.world import NOW, advocate, refer

pytestmark = pytest.mark.django_db
S = ReferralStatus


def test_each_advocate_has_one_code_that_finds_them() -> None:
    ada, alan = advocate(), advocate()
    code = code_for(ada, now=NOW)
    assert code_for(ada, now=NOW) == code
    assert len(code) == 8
    assert codes_for([ada.pk, alan.pk], now=NOW)[ada.pk] == code
    assert ReferralCode.objects.count() == 2
    assert advocate_by_code(code.lower()) == ada
    assert advocate_by_code("NOPE") is None


def test_a_referral_is_submitted_with_its_normalised_prospect() -> None:
    ada = advocate()
    made = refer(ada, email=" Grace@Prospect.Example ", website="https://www.Prospect.example/x")
    assert (made.prospect_email, made.prospect_domain, made.status) == (
        "grace@prospect.example",
        "prospect.example",
        S.SUBMITTED,
    )
    assert list(made.events.values_list("from_status", "to_status", "by")) == [
        ("", "submitted", "—")
    ]


def test_the_first_referrer_of_a_prospect_wins() -> None:
    ada, alan = advocate(), advocate()
    refer(ada, 1)
    with pytest.raises(ReferralError) as same_person:
        refer(alan, 1)
    assert str(same_person.value) == (
        "grace1@prospect1.example has already been referred: "
        "the first referral of a prospect is the one that counts"
    )
    with pytest.raises(ReferralError) as same_company:
        refer(alan, 2, email="linus@prospect1.example")
    assert str(same_company.value) == (
        "someone at prospect1.example has already been referred: "
        "the first referral of a company is the one that counts"
    )
    assert list(Referral.objects.values_list("advocate", flat=True)) == [ada.pk]


def test_the_database_holds_the_first_referrer_without_the_service() -> None:
    ada, alan = advocate(), advocate()
    first = refer(ada, 1)
    fields: dict[str, Any] = {
        "advocate": alan,
        "prospect_name": "x",
        "prospect_company": "x",
        "via": "staff",
        "submitted_at": NOW,
        "updated_at": NOW,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(prospect_email=first.prospect_email, prospect_domain="", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            prospect_email="other@x.example", prospect_domain=first.prospect_domain, **fields
        )


def test_personal_mailboxes_are_unique_by_address_only() -> None:
    ada, alan = advocate(), advocate()
    refer(ada, 1, email="one@gmail.com")
    other = refer(alan, 2, email="two@gmail.com")
    assert other.prospect_domain == ""


def test_a_customer_is_refused_with_the_reason() -> None:
    ada = advocate()
    Account.objects.create(name="Initech", domain="initech.example")
    with pytest.raises(ReferralError) as by_domain:
        refer(ada, 1, email="bill@initech.example", company="Initech")
    assert str(by_domain.value) == (
        "Initech (initech.example) is already a customer (Initech): "
        "a referral is for a new customer"
    )
    known = Contact.objects.exclude(pk=ada.pk).first() or advocate()
    with pytest.raises(ReferralError) as by_email:
        refer(ada, 2, email=known.email.upper(), website="elsewhere.example")
    assert str(by_email.value) == (
        f"{known.email} is already one of our customers' contacts: not a referral"
    )
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "'not-an-email' is not an email address"),
        ({"name": " "}, "say who you are referring (their name)"),
        ({"company": ""}, "say which company they are with"),
        ({"website": "not a site"}, "'not a site' is not a website or domain"),
    ],
)
def test_bad_prospects_are_refused(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ReferralError) as error:
        refer(advocate(), 1, **fields)
    assert str(error.value) == message
    assert Referral.objects.count() == 0


def test_moves_follow_the_table_and_are_recorded_with_who(member: Any) -> None:
    made = refer(advocate())
    later = NOW + dt.timedelta(days=1)
    move(made, S.MEETING_BOOKED, actor=member, now=later)
    move(made, S.QUALIFIED, actor=member, now=later, deal_cents=50_000_00)
    move(made, S.MEETING_BOOKED, actor=member, now=later + dt.timedelta(days=1))
    move(made, S.QUALIFIED, actor=None, now=later + dt.timedelta(days=2), by="the CLI")
    move(made, S.CLOSED_WON, actor=member, now=later + dt.timedelta(days=3), note="signed")
    made.refresh_from_db()
    assert (made.status, made.deal_cents, made.qualified_at, made.closed_at) == (
        S.CLOSED_WON,
        50_000_00,
        later,  # first reached, kept when it moved back
        later + dt.timedelta(days=3),
    )
    assert list(ReferralEvent.objects.values_list("from_status", "to_status", "by")) == [
        ("", "submitted", "—"),
        ("submitted", "meeting_booked", "member"),
        ("meeting_booked", "qualified", "member"),
        ("qualified", "meeting_booked", "member"),
        ("meeting_booked", "qualified", "the CLI"),
        ("qualified", "closed_won", "member"),
    ]


def test_a_move_not_allowed_is_refused_with_the_reason() -> None:
    made = refer(advocate())
    with pytest.raises(ReferralError) as error:
        move(made, S.CLOSED_WON, actor=None, now=NOW)
    assert str(error.value) == (
        f"referral {made.pk} is submitted: it cannot move to closed won "
        "(it may go to meeting booked, closed lost)"
    )
    move(made, S.CLOSED_LOST, actor=None, now=NOW)
    with pytest.raises(ReferralError) as final:
        move(made, S.SUBMITTED, actor=None, now=NOW)
    assert (
        str(final.value)
        == f"referral {made.pk} is closed lost: it cannot move to submitted (final)"
    )
    assert ReferralEvent.objects.count() == 2


def test_a_stale_move_is_refused() -> None:
    made = refer(advocate())
    stale = Referral.objects.get(pk=made.pk)
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    with pytest.raises(ReferralError) as error:
        move(stale, S.CLOSED_LOST, actor=None, now=NOW)
    assert str(error.value) == f"referral {made.pk} was moved by someone else; look again"


def test_status_as_of_a_moment_comes_from_the_moves() -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW + dt.timedelta(days=2))
    then = Referral.objects.as_of(NOW + dt.timedelta(days=1)).get()
    assert then.status_then == S.SUBMITTED
    assert Referral.objects.as_of(NOW - dt.timedelta(days=1)).count() == 0
    assert Referral.objects.as_of(NOW + dt.timedelta(days=3)).get().status_then == "meeting_booked"
