"""A value moment goes out through the outbox like any email, and its holds apply to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from advocacy.customers.models import Contact
from advocacy.customers.suppression import suppress_mail
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageKind
from advocacy.messaging.unsubscribe import unsubscribe, unsubscribe_token
from advocacy.value import services
from advocacy.value.periods import parse
from advocacy.value.tests.conftest import NOW

NOVEMBER = parse("month", "2026-11")


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _status() -> tuple[str, str]:
    m = Message.objects.get(kind=MessageKind.VALUE)
    return m.status, m.reason_code


def test_it_is_sent_with_the_numbers_it_was_written_with(world: dict[str, Any]) -> None:
    services.send("monthly", NOVEMBER, now=NOW)
    deliver_due(now=NOW, reminders=False)
    assert _status() == ("sent", "")
    (sent,) = mail.outbox
    assert sent.to == ["ada@acme.example"]
    assert sent.subject == "Acme's Beacon insights for November 2026"
    assert "- 2 people at Acme used Beacon this month, up from 1 in October 2026." in sent.body
    assert "/portal/enter/" in sent.body and "PREVIEW" not in sent.body
    assert Message.objects.get(kind=MessageKind.VALUE).subject == sent.subject


def test_an_unsubscribed_admin_is_held(world: dict[str, Any]) -> None:
    unsubscribe(unsubscribe_token(world["ada"].pk), now=NOW)
    services.send("monthly", NOVEMBER, now=NOW)
    deliver_due(now=NOW, reminders=False)
    # Unsubscribing opts the person out of the program's emails: the first hold found.
    assert _status() == ("held", "opted_out")
    assert mail.outbox == []


def test_an_address_on_the_suppression_list_is_held(world: dict[str, Any]) -> None:
    services.send("monthly", NOVEMBER, now=NOW)
    suppress_mail(["ada@acme.example"], now=NOW)  # after the row was written
    deliver_due(now=NOW, reminders=False)
    assert _status() == ("held", "unsubscribed")
    assert mail.outbox == []


def test_an_admin_who_opted_out_is_held(world: dict[str, Any]) -> None:
    Contact.objects.filter(pk=world["ada"].pk).update(opted_out_at=NOW)
    services.send("monthly", NOVEMBER, now=NOW)
    deliver_due(now=NOW, reminders=False)
    assert _status() == ("held", "opted_out")
    assert mail.outbox == []
