"""The emails' texts: the templates rendered once per letter with marks, then filled, give
exactly what rendering each email whole gives; names with HTML in them are escaped."""

from __future__ import annotations

import pytest

from advocacy.customers.models import Contact
from advocacy.messaging.models import Message
from advocacy.messaging.rendering import context, fill, letter_of, render, render_whole
from advocacy.messaging.tests.conftest import promoter
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db
CASES = [
    ("review", "ask"), ("testimonial_quote", "ask"), ("case_study", "ask"),
    ("reference_call", "invite"), ("referral", "ask"), ("review", "reminder"),
    ("review", "thanks"), ("review", "test"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_a_filled_letter_is_the_letter_rendered_whole(member, code, kind):
    ada = promoter(member)
    Contact.objects.filter(pk=ada.pk).update(first_name='Ada <b>"&', last_name="O'Neil")
    ada.refresh_from_db()
    ask = queued_ask(ada, code=code, status="sent" if kind == "invite" else "queued")
    message = Message(kind=kind, ask=ask, contact=ada, message_id="<x@y>", to_email="t@example.com")
    ctx = context(message, link="https://advocacy.example/portal/enter/TOKEN/")
    ctx["subject"] = render(message, link=ctx["link"]).subject
    assert fill(letter_of(message), ctx) == render_whole(letter_of(message), ctx)
    text, html = fill(letter_of(message), ctx)
    assert 'Hi Ada <b>"&,' in text
    assert "Hi Ada &lt;b&gt;&quot;&amp;," in html
