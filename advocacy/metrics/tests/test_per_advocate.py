"""Average activities per advocate (seed 003) divides by the advocates, not by the active."""

from __future__ import annotations

from advocacy.customers.models import Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.tests.world import NOW, World, at, profile, signal

Q2 = parse_period("2026-Q2", now=NOW)


def per_advocate(segment: Segment | None = None):
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    return compute(BY_CODE["activities_per_advocate"], ev)


def test_an_advocate_without_activity_counts_as_zero(world: World):
    got = per_advocate()
    assert (got.value, got.numerator, got.denominator) == (1.5, 3, 2)  # Ada 2, Alan 1
    quiet = Contact.objects.create(account=world.bolt, email="quiet@bolt.test")
    profile(quiet, "advocate", 9, 90)
    got = per_advocate()
    assert (got.value, got.numerator, got.denominator) == (1.0, 3, 3)


def test_activities_of_contacts_who_are_not_advocates_are_left_out(world: World):
    for day in (3, 4, 5):
        signal(world.bob, "review_published", at(5, day), 5)  # Bob is at rung none
    assert per_advocate().value == 1.5
    signal(world.alan, "reference_completed", at(6, 2))
    assert per_advocate().value == 2.0  # Ada 2, Alan 2


def test_by_segment_and_the_rows_are_the_advocates(world: World):
    assert per_advocate(Segment(industry="Finance")).value is None  # Bolt: no reachable advocate
    got = per_advocate(Segment(persona="champion"))
    assert (got.value, got.numerator, got.denominator) == (2.0, 2, 1)  # Ada alone
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    emails = rows(BY_CODE["activities_per_advocate"], ev).order_by("email")
    assert list(emails.values_list("email", flat=True)) == ["ada@acme.test", "alan@acme.test"]
