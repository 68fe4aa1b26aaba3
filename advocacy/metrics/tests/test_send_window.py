"""The report counts the asks that were not sent by their send-by moment."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.report import build_report, report_dict
from advocacy.pipeline.models import AskType
from advocacy.pipeline.services import advance_ask

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
Q2 = parse_period("2026-Q2", now=NOW)
HOUR = timedelta(hours=1)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


@pytest.fixture
def asks(member: Any) -> None:
    """Four asks opened in Q2 with 48 hours to go out: one never sent, one sent a day late,
    one sent in time, one with none; one opened in March, never sent, out of the period."""
    types = AskType.objects.get(code="review"), AskType.objects.get(code="testimonial_quote")
    for n, (opened, sent) in enumerate(
        [(at(4, 1), None), (at(4, 2), at(4, 5)), (at(5, 1), at(5, 2)), (at(5, 3), "none"),
         (at(3, 1), None)]
    ):  # fmt: skip
        account = Account.objects.create(name=f"A{n}", domain=f"a{n}.test")
        contact = Contact.objects.create(account=account, email=f"c{n}@a{n}.test")
        send_by = None if sent == "none" else opened + 48 * HOUR
        request = AskRequest(contact.pk, types[n % 2], "t", send_by=send_by)
        (ask,) = open_asks([request], now=opened).opened
        if isinstance(sent, datetime):
            advance_ask(ask, "sent", actor=member, now=sent)


def test_the_report_counts_the_missed_send_windows(asks: None) -> None:
    report = build_report(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    assert report_dict(report)["pipeline"] == {"with_send_window": 3, "missed_send_window": 2}


def test_the_cli_and_the_dashboard_show_it(asks: None, client: Any, member: Any) -> None:
    client.force_login(member)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("report", "--period", "2026-Q2", stdout=out)
        body = io.StringIO()
        call_command("report", "--period", "2026-Q2", "--format", "json", stdout=body)
        html = client.get(reverse("web:metrics"), {"period": "2026-Q2"}).content.decode()
    assert (
        "Send window: 2 of 3 ask(s) opened in the period with a send-by moment missed it"
        in out.getvalue()
    )
    assert json.loads(body.getvalue())["pipeline"]["missed_send_window"] == 2
    assert (
        '<p data-testid="missed-send-window">Missed send window: <strong>2</strong> of 3 asks'
        in html
    )
