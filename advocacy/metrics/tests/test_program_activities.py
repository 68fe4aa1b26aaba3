"""What the pipeline feeds the program shows: reviews, the ladder and a play's lift."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import Decision, Play
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.profile import with_profile
from advocacy.metrics.catalogue import BY_CODE, compute
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.pipeline.models import Ask, AskType
from advocacy.pipeline.services import advance_ask, advance_asks
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
Q2 = parse_period("2026-Q2", now=NOW)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def engaged(name: str) -> Contact:
    """A promoter at a healthy account, active lately: engaged, with no activity yet."""
    account = Account.objects.create(
        name=name, domain=f"{name}.test", customer_since=date(2024, 1, 1)
    )
    contact = Contact.objects.create(account=account, email=f"ada@{name}.test")
    for kind, value, when, who in (
        ("nps", 10.0, at(6, 1), contact),
        ("health_score", 85.0, at(6, 1), None),
        ("activity", None, at(6, 20), contact),
    ):
        Signal.objects.create(
            source="t", key=f"{name}-{kind}", kind=kind, account=account, contact=who,
            occurred_at=when, value=value,
        )  # fmt: skip
    return contact


def ask(contact: Contact, code: str, opened: datetime, **kw: Any) -> Ask:
    request = AskRequest(contact.pk, AskType.objects.get(code=code), "t", status="sent", **kw)
    (made,) = open_asks([request], now=opened).opened
    return made


def rung(contact: Contact, now: datetime) -> str:
    return str(with_profile(Contact.objects.filter(pk=contact.pk), now).get().rung)


def reviews() -> int:
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    return int(compute(BY_CODE["reviews"], ev).value or 0)


def test_a_published_review_ask_counts_as_a_review(member: Any) -> None:
    """GIVEN a review ask taken to completed WHEN it is published THEN reviews go from 0 to 1."""
    made = ask(engaged("acme"), "review", at(4, 1))
    for to, when in (("accepted", at(4, 2)), ("completed", at(4, 5))):
        made = advance_ask(made, to, actor=member, now=when)
    assert reviews() == 0
    advance_ask(made, "published", actor=member, now=at(4, 9))
    assert reviews() == 1


def test_a_case_study_taken_through_lifts_its_advocate_up_the_ladder(member: Any) -> None:
    """GIVEN an engaged contact WHEN their case study is completed and published THEN they are
    an advocate; a completed testimonial quote does the same for another."""
    ada, bea = engaged("acme"), engaged("bolt")
    study, quote = ask(ada, "case_study", at(6, 1)), ask(bea, "testimonial_quote", at(6, 1))
    assert (rung(ada, NOW), rung(bea, NOW)) == ("engaged", "engaged")
    ids = [study.pk, quote.pk]
    for to, when in (("accepted", at(6, 2)), ("completed", at(6, 25))):
        advance_asks(ids, to, actor=member, now=when)
    assert (rung(ada, NOW), rung(bea, NOW)) == ("engaged", "advocate")
    advance_asks([study.pk], "published", actor=member, now=at(7, 1))
    assert (rung(ada, NOW), rung(bea, NOW)) == ("advocate", "advocate")
    assert rung(ada, at(6, 30)) == "engaged"  # as of a moment before it was published


def test_a_case_study_play_shows_lift_over_its_holdout(member: Any) -> None:
    """GIVEN a case-study play that asked Ada and held out Bea WHEN Ada's case study is
    published within the window THEN the play converts 1 of 1 asked and 0 of 1 held out."""
    ada, bea = engaged("acme"), engaged("bolt")
    play = Play.objects.create(
        name="expansion-case-study", title="Case study", source_file="x.yaml", definition={},
        digest="d", loaded_at=at(1, 1),
    )  # fmt: skip
    made = ask(ada, "case_study", at(5, 1), play=play.name)
    for contact, outcome, pk in ((ada, "asked", made.pk), (bea, "held_out", None)):
        Decision.objects.create(
            play=play, contact=contact, moment="m", outcome=outcome, decided_at=at(5, 1),
            ask_id=pk,
        )  # fmt: skip
    for to, when in (("accepted", at(5, 3)), ("completed", at(5, 20))):
        made = advance_ask(made, to, actor=member, now=when)
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    (lift,) = ev.lifts
    assert (lift.asked, lift.asked_converted, lift.held_out_converted, lift.lift) == (1, 0, 0, 0)
    advance_ask(made, "published", actor=member, now=at(5, 25))
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    (lift,) = ev.lifts
    assert (lift.play, lift.asked, lift.asked_converted, lift.held_out, lift.lift) == (
        "expansion-case-study", 1, 1, 1, 100.0
    )  # fmt: skip
