"""Across layers: a G2 review that closes its ask as verified counts once in the review
metrics (the connectors and the metrics are siblings: neither imports the other)."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Account, Contact, ContactIdentity
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.integrations.connectors.reviews import record_reviews
from advocacy.integrations.connectors.tests.test_g2_reviews import NOW, ask, play, reviews
from advocacy.metrics.catalogue import BY_CODE, compute
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation

pytestmark = pytest.mark.django_db


def reviews_in_q2() -> float | None:
    ev = Evaluation(parse_period("2026-Q2", now=NOW), Segment(), now=NOW, policy=DEFAULT_POLICY)
    return compute(BY_CODE["reviews"], ev).value


def test_the_review_metrics_count_each_verified_review_once(member):
    acme = Account.objects.create(name="Acme", domain="acme.com")
    ada = Contact.objects.create(account=acme, email="ada@acme.com")
    bo = Contact.objects.create(account=acme, email="bo@acme.com")
    ContactIdentity.objects.create(contact=bo, source="g2", external_id="u-2002")
    ask(ada, "sent", play_name=play("nps-promoter-review", "g2"))
    record_reviews(reviews(), actor=member, now=NOW)
    assert reviews_in_q2() == 2  # Ada's verified ask, Bo's review of its own
    record_reviews(reviews(), actor=member, now=NOW + dt.timedelta(hours=1))
    assert reviews_in_q2() == 2
