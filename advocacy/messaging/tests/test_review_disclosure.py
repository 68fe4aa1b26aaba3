"""A review ask whose play offers an incentive says so in the email and the reminder, whatever
the rating; a template that leaves the sentence out is refused, not sent."""

from __future__ import annotations

import pytest

from advocacy.engine.models import Play
from advocacy.messaging import rendering
from advocacy.messaging.models import Message
from advocacy.messaging.rendering import UndisclosedIncentive, render
from advocacy.messaging.tests.conftest import promoter
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db
SENTENCE = "As a thank-you, we offer a $25 gift card for an honest review, whatever your rating."


def message_of(member, *, code="review", kind="ask", incentive="a $25 gift card"):
    ask = queued_ask(promoter(member), code=code)
    ask.play_row = Play(name="p", definition={"incentive": incentive})
    return Message(kind=kind, ask=ask, contact=ask.contact, message_id="<x@y>")


@pytest.mark.parametrize("kind", ["ask", "reminder"])
def test_a_review_with_an_incentive_discloses_it_whatever_the_rating(member, kind):
    rendered = render(message_of(member, kind=kind))
    assert rendered.text.count(SENTENCE) == 1
    assert (
        "<p data-disclosure>As a thank-you, we offer a $25 gift card for an honest review,"
        " whatever your rating.</p>"
    ) in rendered.html


def test_a_review_without_an_incentive_says_nothing_of_one(member):
    rendered = render(message_of(member, incentive=""))
    assert "As a thank-you" not in rendered.text
    assert "data-disclosure" not in rendered.html


def test_a_template_that_drops_the_disclosure_is_refused(member, monkeypatch):
    message = message_of(member)
    monkeypatch.setattr(rendering, "fill", lambda letter, ctx: ("no word of it", "<p>none</p>"))
    with pytest.raises(UndisclosedIncentive, match="offers 'a \\$25 gift card' for a review"):
        render(message)


def test_the_sentence_never_names_a_rating_the_incentive_depends_on():
    assert rendering.review_disclosure("a $25 gift card.") == SENTENCE
    assert rendering.review_disclosure("") == ""
