"""The year in review: its numbers, its page with inline SVG charts, its PDF, its email."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from advocacy.rewards.models import Entry
from advocacy.value import services, wrapped
from advocacy.value.periods import parse
from advocacy.value.tests.conftest import at, signal

YEAR = parse("year", "2026")
JANUARY = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)


def _advocacy(world: dict[str, Any]) -> None:
    bo, acme = world["bo"], world["acme"]
    signal(acme, "review_published", at("2026-03-10"), contact=bo)
    signal(acme, "reference_completed", at("2026-03-20"), contact=bo)
    signal(acme, "reference_completed", at("2026-09-01"), contact=bo)
    signal(acme, "review_published", at("2025-12-31", 23), contact=bo)  # the year before
    Entry.objects.create(
        contact=bo,
        kind="credit",
        amount_cents=10_000,
        reason="thanks",
        quarter="2026Q1",
        at=at("2026-03-21"),
    )


def test_the_advocates_year(world: dict[str, Any]) -> None:
    _advocacy(world)
    year = wrapped.advocate_years([world["bo"].pk], YEAR)[world["bo"].pk]
    assert [m["value"] for m in year["months"]] == [0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert year["by_kind"] == [
        {"label": "Reference completed", "value": 2},
        {"label": "Review published", "value": 1},
    ]
    assert year["lines"] == [
        "You did 3 advocacy activities with us in 2026.",
        "We credited you $100.00 in rewards.",
        "We sent you 0 insights.",
        "We gave 0 and asked 0 in the 12 months to the year's end.",
    ]


def test_the_accounts_year(world: dict[str, Any]) -> None:
    _advocacy(world)
    year = wrapped.account_years([world["acme"].pk], YEAR)[world["acme"].pk]
    assert [m["value"] for m in year["months"]] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 1]
    assert [m["value"] for m in year["health_months"]] == [None] * 9 + [78.0, 82.5, 82.5]
    assert year["lines"] == [
        "Acme recorded 6 product activities in 2026.",
        "It reached 2 milestones.",
        "1 person at Acme did 3 advocacy activities.",
    ]


def test_the_page_draws_its_charts_inline(world: dict[str, Any]) -> None:
    _advocacy(world)
    html = wrapped.page("wrapped", world["bo"].pk, None, YEAR)
    assert html.count("<svg") == 2
    assert "<script" not in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert 'aria-label="Advocacy activities by month: Jan 0, Feb 0, Mar 2,' in html
    assert len(re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="112.0"', html)) == 2
    page = wrapped.page("account_wrapped", None, world["acme"].pk, YEAR)
    assert 'data-chart="line"' in page and "<polyline points=" in page


def test_the_pdf(world: dict[str, Any]) -> None:
    pdf, name = wrapped.wrapped_pdf("account_wrapped", None, world["acme"].pk, YEAR)
    assert pdf.startswith(b"%PDF-")
    assert name == f"year-in-review-2026-account-{world['acme'].pk}.pdf"


def test_the_email_of_the_year_goes_to_advocates_once(world: dict[str, Any]) -> None:
    from advocacy.engine.asks import AskRequest, open_asks
    from advocacy.engine.plays import load_playbook
    from advocacy.pipeline.models import AskType

    load_playbook(now=JANUARY, learn=False)
    _advocacy(world)
    review = AskType.objects.get(code="review")
    open_asks([AskRequest(world["bo"].pk, review, "t")], now=at("2026-06-01"))
    sent = services.send("wrapped", YEAR, now=JANUARY)
    assert (sent.recipients, sent.written) == (1, 1)
    assert services.send("wrapped", YEAR, now=JANUARY).written == 0
    email = services.preview("wrapped", world["bo"], YEAR)
    assert email.subject == "Your 2026 with Beacon, Bo"
    assert "- We gave 0 and asked 1 in the 12 months to the year's end." in email.text
