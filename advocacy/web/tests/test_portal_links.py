"""The staff side of the portal in the web UI: a link to send by hand, what advocates did."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.customers.models import Contact
from advocacy.people.models import AuditEntry
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.web.tests.conftest import make_account, make_contact

pytestmark = pytest.mark.django_db


def test_the_contact_page_offers_a_link_and_the_link_is_shown_once(
    staff_client: Client, member: Any
) -> None:
    ann = make_contact(make_account("Acme"), "Ann")
    page = staff_client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert 'data-testid="get-portal-link"' in page
    response = staff_client.post(reverse("web:contact_portal_link", args=[ann.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://127.0.0.1:8000/portal/enter/" in html
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.via, entry.target) == (
        "portal.link",
        member.pk,
        "web",
        f"contact {ann.pk}",
    )
    assert "portal/enter" not in str(entry.detail)
    # The link it showed opens her portal, in a browser not signed in here.
    url = html.split('data-testid="portal-link-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert Client().post(url.removeprefix("http://127.0.0.1:8000")).status_code == 302


def test_no_link_for_someone_who_left(staff_client: Client) -> None:
    ann = make_contact(make_account("Acme"), "Ann", left_company_at=timezone.now())
    page = staff_client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert 'data-testid="get-portal-link"' not in page
    response = staff_client.post(reverse("web:contact_portal_link", args=[ann.pk]))
    assert response.status_code == 409
    assert "left the company" in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_a_seller_gets_no_button(client: Client, seller: Any) -> None:
    ann = make_contact(make_account("Acme"), "Ann")
    client.force_login(seller)
    page = client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert 'data-testid="get-portal-link"' not in page
    assert client.post(reverse("web:contact_portal_link", args=[ann.pk])).status_code == 403


def _notice(contact: Contact, user: Any, key: str, text: str, role: str = "cs") -> None:
    notify(
        [NoticeDraft(key=key, kind=NoticeKind.ASK_ACCEPTED, contact_id=contact.pk, text=text,
                     recipient_id=getattr(user, "pk", None), role=role)],
        now=timezone.now(),
    )  # fmt: skip


def test_the_dashboard_lists_what_advocates_did_for_me_and_my_role(
    staff_client: Client, member: Any, marketer: Any
) -> None:
    ann = make_contact(make_account("Acme"), "Ann")
    _notice(ann, member, "a", "Ann accepted the review ask.")
    _notice(ann, None, "b", "Ann asked for a new portal link.")
    _notice(ann, marketer, "c", "Ann approved the quote.", role="marketing")
    html = staff_client.get(reverse("web:home")).content.decode()
    assert html.count('data-testid="notice"') == 2
    assert "Ann accepted the review ask." in html and "Ann approved the quote." not in html
    contact_page = staff_client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert contact_page.count("Ann approved the quote.") == 1  # every notice about her
