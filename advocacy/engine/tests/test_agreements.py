"""Agreements: one current per advocate, checked terms and scope; opt-out stops everything."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import refusals_for
from advocacy.engine.tests.guard_world import NOW, account, ask, person
from advocacy.pipeline.agreement_services import (
    AgreementError,
    create_agreement,
    end_agreement,
    opt_out,
    update_agreement,
)
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask, AskEvent, AskType
from advocacy.pipeline.pausing import pause_ask

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


@pytest.fixture
def ada(member: Any) -> Contact:
    return person(account(owner=member), "ada")


def draft(contact: Contact, actor: Any, **kw: Any) -> Agreement:
    values: dict[str, Any] = {"scope": ["case_study", "reference_call"], "starts_on": JAN}
    values.update(kw)
    return create_agreement(contact, actor=actor, now=NOW, **values)


def test_create_sign_and_end(ada: Contact, member: Any) -> None:
    a = draft(ada, member, benefits=" Early access ", ends_on=dt.date(2026, 12, 31))
    assert (a.status, a.benefits, a.created_by, a.covers("case_study", JAN)) == (
        "draft",
        "Early access",
        member,
        False,
    )
    a = update_agreement(a, actor=member, now=NOW, status="active", signed_on=JAN)
    assert (a.status, a.signed_on, a.covers("case_study", JAN), a.covers("review", JAN)) == (
        "active",
        JAN,
        True,
        False,
    )
    assert list(Agreement.objects.in_force(dt.date(2026, 6, 1))) == [a]
    assert list(Agreement.objects.in_force(dt.date(2027, 1, 1))) == []
    a = end_agreement(a, actor=member, now=NOW, reason="term over")
    assert (a.status, a.ended_at, a.end_reason) == ("ended", NOW, "term over")
    with pytest.raises(AgreementError, match=re.escape(f"agreement {a.pk} is ended already")):
        end_agreement(a, actor=member, now=NOW)
    with pytest.raises(AgreementError, match=re.escape("can no longer change")):
        update_agreement(a, actor=member, now=NOW, benefits="more")
    assert draft(ada, member).status == "draft"  # a new one once the old one ended


def test_one_current_agreement_per_advocate(ada: Contact, member: Any) -> None:
    first = draft(ada, member)
    with pytest.raises(AgreementError) as caught:
        draft(ada, member)
    assert str(caught.value) == (
        f"ada@acme.example already has a current agreement (agreement {first.pk}, draft): "
        "edit or end it first"
    )
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scope": ["case_study", "nope"]}, "scope", "unknown ask type(s) in scope: nope"),
        ({"scope": "case_study"}, "scope", "scope must be a list of ask type codes"),
        (
            {"ends_on": dt.date(2025, 12, 1)},
            "ends_on",
            "the term ends (2025-12-01) before it starts (2026-01-01)",
        ),
        ({"status": "active"}, "signed_on", "an active agreement needs the date it was signed"),
        (
            {"status": "ended"},
            "status",
            "status must be draft or active; end an agreement with `end` or opt the "
            "advocate out, found 'ended'",
        ),
    ],
)
def test_bad_agreements_are_refused_by_field(
    ada: Contact, member: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(AgreementError) as caught:
        draft(ada, member, **changes)
    assert (caught.value.field, str(caught.value)) == (field, message)
    assert Agreement.objects.count() == 0


def test_opt_out_cancels_every_open_ask_and_ends_the_agreement_at_once(
    ada: Contact, member: Any
) -> None:
    bob = person(ada.account, "bob")
    study, review = ask(ada, "case_study"), ask(ada, "review", status="accepted")
    done = ask(ada, "reference_call", status="completed")
    kept = ask(bob, "case_study")
    pause_ask(study, "holiday", actor=member, now=NOW)
    agreement = draft(ada, member, status="active", signed_on=JAN)

    result = opt_out(ada, now=NOW, actor=member, reason="too busy")

    assert (result.cancelled, result.agreements_ended, result.already) == (
        [study.pk, review.pk],
        [agreement.pk],
        False,
    )
    statuses = dict(Ask.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in (study, review, done, kept)] == [
        "cancelled",
        "cancelled",
        "completed",
        "sent",
    ]
    event = AskEvent.objects.filter(ask=review).last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "accepted",
        "cancelled",
        member,
        "opted out: too busy",
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.end_reason) == ("opted_out", "opted out: too busy")
    ada.refresh_from_db()
    assert ada.opted_out_at == NOW
    case_study = AskType.objects.get(code="case_study")
    refused = refusals_for(ada.pk, case_study, now=NOW, policy=DEFAULT_POLICY)
    assert ("excluded_opted_out", "excluded: opted out") in refused
    with pytest.raises(AgreementError, match=re.escape("opted out; no agreement can be active")):
        draft(ada, member, status="active", signed_on=JAN)


def test_opting_out_twice_keeps_the_first_date(ada: Contact, member: Any) -> None:
    opt_out(ada, now=NOW, actor=member)
    again = opt_out(ada, now=NOW + dt.timedelta(days=1), actor=member)
    assert (again.already, again.opted_out_at, again.cancelled) == (True, NOW, [])


def test_opt_out_is_atomic(ada: Contact, member: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    study = ask(ada, "case_study")
    draft(ada, member, status="active", signed_on=JAN)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("advocacy.pipeline.agreement_services.advance_asks", boom)
    with pytest.raises(RuntimeError):
        opt_out(ada, now=NOW, actor=member)
    ada.refresh_from_db()
    assert (ada.opted_out_at, Ask.objects.get(pk=study.pk).status) == (None, "sent")
    assert Agreement.objects.get().status == "active"
