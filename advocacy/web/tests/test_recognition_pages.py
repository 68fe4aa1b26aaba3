"""Recognition in the web UI: the staff page with its export, the badge on the contact page
(issued and revoked by those who may), the public badge page and image, the featured lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advocacy.content.services import grant_consent
from advocacy.content.tests.conftest import advocate
from advocacy.recognition import services
from advocacy.recognition.models import Badge
from advocacy.recognition.tests.world import NOW, champion, consented

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_staff_page_lists_champions_and_featured_and_exports(
    client: Client, seller: Any
) -> None:
    ada = champion("ada@acme.example", activities=3)
    consented(ada, ["name", "title"])
    client.force_login(seller)
    html = client.get(reverse("web:recognition")).content.decode()
    assert html.count('data-testid="champion-row"') == 1
    assert "<td>Advocate</td>" in html
    assert html.count('data-testid="featured-row"') == 1 and "VP Operations" in html
    csv = client.get(reverse("web:recognition_champions_csv")).content.decode()
    assert csv.splitlines() == [
        "email,name,account,tier",
        "ada@acme.example,Ada Lovelace,Acme Robotics,Advocate",
    ]
    before = client.get(reverse("web:recognition"), {"as_of": "2026-05-01"}).content.decode()
    assert "Nobody is in the champions group." in before
    bad = client.get(reverse("web:recognition"), {"as_of": "soon"}).content.decode()
    assert "expected a day like 2026-06-30, found &#x27;soon&#x27;" in bad


def test_a_member_issues_the_badge_on_the_contact_page_and_revokes_it(
    client: Client, member: Any
) -> None:
    ada = champion("ada@acme.example")
    client.force_login(member)
    page = client.get(reverse("web:contact", args=[ada.pk])).content.decode()
    assert 'data-testid="badge-issue"' in page
    url = reverse("web:contact_badge", args=[ada.pk])
    client.post(url, {"step": "issue"})
    badge = Badge.objects.get(contact=ada)
    page = client.get(reverse("web:contact", args=[ada.pk])).content.decode()
    assert f'href="http://127.0.0.1:8000/badge/{badge.token}/"' in page
    assert "shows no name: no consent in force allows it" in page
    client.post(url, {"step": "revoke"})
    assert Badge.objects.live().count() == 0
    assert client.get(reverse("web:badge", args=[badge.token])).status_code == 404


def test_a_seller_may_not_issue_a_badge(client: Client, seller: Any) -> None:
    ada = champion("ada@acme.example")
    client.force_login(seller)
    page = client.get(reverse("web:contact", args=[ada.pk])).content.decode()
    assert 'data-testid="badge-issue"' not in page
    got = client.post(reverse("web:contact_badge", args=[ada.pk]), {"step": "issue"})
    assert got.status_code == 403
    assert Badge.objects.count() == 0


def test_the_public_badge_page_has_open_graph_tags_and_an_svg(client: Client) -> None:
    ada = champion("ada@acme.example")
    consented(ada, ["name"])
    badge = services.issue_badge(ada, actor=None, now=NOW)
    page = client.get(reverse("web:badge", args=[badge.token]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta property="og:title" content="Ada Lovelace: Customer Champion 2026">' in html
    preview = f"http://127.0.0.1:8000/badge/{badge.token}.png"
    assert f'<meta property="og:image" content="{preview}">' in html
    png = client.get(reverse("web:badge_png", args=[badge.token]))
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(reverse("web:badge_svg", args=[badge.token]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert ">Ada Lovelace</text>" in svg.content.decode()
    download = client.get(reverse("web:badge_svg", args=[badge.token]), {"download": "1"})
    assert "attachment" in download["Content-Disposition"]
    assert client.get(reverse("web:badge", args=["guess"])).status_code == 404


def test_the_public_featured_page_and_json_follow_consent_at_once(client: Client) -> None:
    ada = advocate("ada@acme.example")
    asset = consented(ada, ["name", "quote"])
    body = client.get(reverse("web:featured_json")).json()
    assert body == {
        "featured": [
            {"account": "Acme Robotics", "name": "Ada Lovelace", "title": "", "logo": False,
             "quote": "It changed how we work."}
        ]
    }  # fmt: skip
    page = client.get(reverse("web:featured_public"))
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert page.content.decode().count('data-testid="featured-item"') == 1
    grant_consent(asset, ["quote"], expires_at=NOW + dt.timedelta(days=9), actor=None, now=NOW)
    assert client.get(reverse("web:featured_json")).json() == {"featured": []}
    assert (
        'data-testid="featured-item"'
        not in client.get(reverse("web:featured_public")).content.decode()
    )
