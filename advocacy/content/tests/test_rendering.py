"""Case studies render from the seed template to HTML and PDF, showing only what is consented."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from advocacy.content.rendering import anonymous_company, render_html, render_pdf
from advocacy.content.services import grant_consent
from advocacy.content.tests.conftest import ALL_SCOPES, NOW, case_study

pytestmark = pytest.mark.django_db


def consented(scopes: list[str]):  # type: ignore[no-untyped-def]
    asset = case_study()
    grant_consent(asset, scopes, expires_at=NOW + dt.timedelta(days=365), actor=None, now=NOW)
    return asset


def test_the_html_follows_the_seed_template_with_every_field_consented() -> None:
    html = render_html(consented(ALL_SCOPES))
    for heading in (
        "The Challenge",
        "The Solution",
        "The Results",
        "Key Quote",
        "Looking Ahead",
        "About Acme Robotics",
    ):
        assert f">{heading}</h2>" in html
    assert 'data-field="heading">Acme Robotics: Cut onboarding time by 40%</h1>' in html
    assert '<div class="logo" data-field="logo">Acme Robotics</div>' in html
    assert (
        "<li>Onboarding down 40%</li><li>Support tickets halved</li><li>NPS up 22 points</li>"
        in html
    )
    assert "“Ada here: we got our weekends back.”" in html
    assert "— Ada Lovelace, VP Operations, Acme Robotics" in html


def test_without_name_and_logo_the_customer_is_anonymised() -> None:
    html = render_html(consented(["quote"]))
    assert 'data-field="heading">A manufacturing company: Cut onboarding time by 40%</h1>' in html
    assert "Acme" not in html
    assert "Ada" not in html
    assert "Lovelace" not in html
    assert 'data-field="logo"' not in html
    assert "VP Operations" not in html
    assert (
        "a manufacturing company took six weeks to onboard a site; the customer&#x27;s team" in html
    )
    assert "— A manufacturing company" in html
    assert ">About the customer</h2>" in html


def test_without_quote_consent_there_is_no_quote() -> None:
    html = render_html(consented(["name", "logo"]))
    assert "Key Quote" not in html
    assert "weekends" not in html


def test_anonymous_company_reads_well() -> None:
    assert anonymous_company("insurance") == "an insurance company"
    assert anonymous_company("retail") == "a retail company"
    assert anonymous_company("") == "a customer company"


def test_the_pdf_is_a_real_pdf_with_the_consented_text() -> None:
    pdf = render_pdf(consented(["quote", "title"]))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) >= 1
    assert "A manufacturing company: Cut onboarding time by 40%" in text
    assert "The Results" in text
    assert "Support tickets halved" in text
    assert "Acme" not in text
