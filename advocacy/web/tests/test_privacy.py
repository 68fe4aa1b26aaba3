"""The contact page's personal data card: export as a download, erase after typing the email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from advocacy.customers.models import Contact, Suppression
from advocacy.messaging.models import Message
from advocacy.people.models import AuditEntry
from advocacy.privacy.tests.world import NOW, World, build
from advocacy.web.views.privacy import CONFIRM

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build(owner)


@pytest.fixture
def admin(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


def test_the_contact_page_offers_both_to_admins_only(
    world: World, admin: Client, member: Any
) -> None:
    page = admin.get(reverse("web:contact", args=[world.ann.pk])).content.decode()
    assert f'href="/contacts/{world.ann.pk}/export/" download data-testid="export-data"' in page
    assert f'href="/contacts/{world.ann.pk}/erase/" data-testid="erase-person"' in page
    other = Client()
    other.force_login(member)
    page = other.get(reverse("web:contact", args=[world.ann.pk])).content.decode()
    assert 'data-testid="privacy-section"' not in page


def test_export_downloads_the_document(world: World, admin: Client) -> None:
    response = admin.get(reverse("web:contact_export", args=[world.ann.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="contact-{world.ann.pk}.json"'
    assert response["Cache-Control"] == "no-store"
    doc = json.loads(response.content)
    assert (doc["format"], doc["contact"]["email"]) == (
        "advocacy.person-export",
        "ann@acme.example",
    )
    entry = AuditEntry.objects.get(action="privacy.export")
    assert (entry.via, entry.actor_name, entry.target) == (
        "web",
        "owner",
        f"contact {world.ann.pk}",
    )


def test_the_confirmation_page_says_what_goes(world: World, admin: Client) -> None:
    page = admin.get(reverse("web:contact_erase", args=[world.ann.pk])).content.decode()
    assert "<h1>Erase Ann Lee?</h1>" in page
    assert (
        '<ul data-testid="holdings"><li>Signals: 2</li><li>Asks: 2</li><li>Agreements: 1</li>'
        "<li>Content assets: 1</li><li>Reference offers: 2</li><li>Reference calls: 2</li>"
        "<li>Play decisions: 1</li><li>Referrals: 0</li><li>Rewards: 0</li><li>Badges: 0</li>"
        "<li>Messages: 1</li>"
        "<li>Product events: 0</li><li>Value moments: 0</li></ul>"
    ) in page
    assert f'name="{CONFIRM}"' in page and 'name="reason"' in page


def test_a_wrong_email_or_no_reason_erases_nothing(world: World, admin: Client) -> None:
    url = reverse("web:contact_erase", args=[world.ann.pk])
    response = admin.post(url, {CONFIRM: "bob@acme.example", "reason": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        f'data-testid="error-{CONFIRM}">This is not the contact&#x27;s email: '
        "type ann@acme.example.</p>"
    ) in page
    assert 'data-testid="error-reason">This field is required.</p>' in page
    assert Contact.objects.filter(pk=world.ann.pk).exists()
    assert Suppression.objects.count() == 0


def test_typing_the_email_erases_and_lands_on_the_contacts(world: World, admin: Client) -> None:
    # 34 records: her data, her ask's events, and the email the outbox wrote for her ask.
    assert Message.objects.filter(contact=world.ann).count() == 1
    url = reverse("web:contact_erase", args=[world.ann.pk])
    response = admin.post(url, {CONFIRM: " ANN@acme.example ", "reason": "her email of 30 May"})
    assert (response.status_code, response["Location"]) == (302, reverse("web:contacts"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Contact {world.ann.pk} erased: 34 record(s) deleted. Their email and identities are on "
        "the suppression list: they will not be imported again."
    ]
    assert not Contact.objects.filter(pk=world.ann.pk).exists()
    erasure = AuditEntry.objects.get(action="privacy.erase")
    assert (erasure.via, erasure.detail["reason"]) == ("web", "her email of 30 May")
    assert admin.get(url).status_code == 404


@pytest.mark.parametrize("name", ["web:contact_export", "web:contact_erase"])
def test_others_get_the_403_page_naming_who_may(world: World, member: Any, name: str) -> None:
    client = Client()
    client.force_login(member)
    url = reverse(name, args=[world.ann.pk])
    for response in (
        client.get(url),
        client.post(url, {CONFIRM: "ann@acme.example", "reason": "r"}),
    ):
        assert response.status_code == 403
        assert (
            "member (Customer success) may not export or erase a person&#x27;s data: that is for "
            "Admin"
        ) in response.content.decode()
    assert Contact.objects.filter(pk=world.ann.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


@pytest.mark.parametrize("name", ["web:contact_export", "web:contact_erase"])
def test_both_require_login(client: Client, name: str) -> None:
    url = reverse(name, args=[1])
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('web:login')}?next={url}",
    )
