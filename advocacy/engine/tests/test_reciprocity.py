"""Give before ask: the reciprocity balance at its 12-month edges, and the policy's hold of a
high-effort ask (not of a low-effort one) until the program has given first."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import count
from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.explain import next_best_asks
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.reciprocity import Balance, balances
from advocacy.engine.state import refresh_profiles
from advocacy.engine.tests.people import BASE, NOW, build
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
GIVE = replace(DEFAULT_POLICY, give_before_ask=True)
YEAR = dt.timedelta(days=365)
_keys = count(1)


def gift(contact: Contact, at: dt.datetime, value: float = 1) -> None:
    Signal.objects.create(
        source="program",
        key=f"value_given:test:{next(_keys)}",
        kind="value_given",
        account_id=contact.account_id,
        contact=contact,
        occurred_at=at,
        value=value,
    )


def ask(contact: Contact, code: str, at: dt.datetime) -> None:
    request = AskRequest(contact.pk, AskType.objects.get(code=code), f"t:{next(_keys)}")
    assert open_asks([request], now=at, policy=DEFAULT_POLICY).granted
    Ask.objects.filter(contact=contact).update(status="completed")


def test_the_window_is_365_days_to_the_second(member: Any) -> None:
    load_playbook(now=NOW, learn=False)
    c = build(BASE, member)
    gift(c, NOW - YEAR)  # exactly 12 months: counts
    gift(c, NOW - YEAR - dt.timedelta(seconds=1))  # a second older: does not
    gift(c, NOW)  # now: counts
    gift(c, NOW + dt.timedelta(seconds=1))  # after the moment asked about: not yet
    gift(c, NOW - dt.timedelta(days=3), value=-1)  # a credit reversed
    ask(c, "testimonial_quote", NOW - YEAR - dt.timedelta(days=40))  # outside the window
    ask(c, "review", NOW - YEAR)  # exactly 12 months: counts
    assert balances([c.pk], NOW)[c.pk] == Balance(given=1, asked=1)
    assert balances([c.pk], NOW)[c.pk].balance == 0


def _refusals(contact: Contact, code: str) -> dict[str, str]:
    options = next_best_asks(contact, now=NOW, policy=GIVE).options
    option = next(o for o in options if o.code == code)
    return {r.code: r.text for r in option.reasons if not r.ok}


def test_a_high_effort_ask_waits_for_a_gift_and_a_low_effort_one_does_not(member: Any) -> None:
    load_playbook(now=NOW, learn=False)
    c = build(BASE, member)
    assert _refusals(c, "case_study") == {
        "give_before_ask": "give before ask: the program gave more than it asked in 12 months "
        "(found: 0)"
    }
    assert _refusals(c, "review") == {}
    # The default policy does not hold it.
    option = next(o for o in next_best_asks(c, now=NOW).options if o.code == "case_study")
    assert option.ready
    gift(c, NOW - dt.timedelta(days=10))
    assert _refusals(c, "case_study") == {}
    # An ask since takes the balance back to zero: held again.
    ask(c, "review", NOW - dt.timedelta(days=5))
    assert "give_before_ask" in _refusals(c, "case_study")


def test_the_materialised_profile_holds_it_too(member: Any) -> None:
    load_playbook(now=NOW, learn=False)
    c = build(BASE, member)
    refresh_profiles(now=NOW, contact_ids=[c.pk], policy=GIVE)
    c.profile.refresh_from_db()
    assert "case_study" not in c.profile.ready_codes
    assert "review" in c.profile.ready_codes
    gift(c, NOW - dt.timedelta(days=1))
    refresh_profiles(now=NOW, contact_ids=[c.pk], policy=GIVE)
    c.profile.refresh_from_db()
    assert "case_study" in c.profile.ready_codes
