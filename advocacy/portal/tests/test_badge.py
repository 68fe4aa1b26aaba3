"""The advocate gets their badge in the portal once a champion, and finds its share link and
download there; someone without the tier is told what it takes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.messaging.links import link_path
from advocacy.recognition.models import Badge
from advocacy.rewards.tests.helpers import advocate, complete

pytestmark = pytest.mark.django_db


def _portal(*, activities: int) -> tuple[Client, int]:
    contact = advocate(first_name="Ann", last_name="Archer")
    for _ in range(activities):
        complete(contact, at=timezone.now())
    client = Client()
    assert client.post(link_path(contact.pk)).status_code == 302
    return client, contact.pk


def test_a_champion_gets_the_badge_and_its_links() -> None:
    client, contact_id = _portal(activities=1)
    page = client.get(reverse("portal:rewards")).content.decode()
    assert 'data-testid="portal-badge-get"' in page
    assert client.post(reverse("portal:badge")).status_code == 302
    badge = Badge.objects.get(contact_id=contact_id)
    page = client.get(reverse("portal:rewards")).content.decode()
    assert f'href="http://127.0.0.1:8000/badge/{badge.token}/"' in page
    assert f'href="http://127.0.0.1:8000/badge/{badge.token}.svg?download=1"' in page
    assert "It does not show your name: you have not agreed to be named." in page
    client.post(reverse("portal:badge"))
    assert Badge.objects.count() == 1


def test_without_the_tier_there_is_no_badge() -> None:
    client, _ = _portal(activities=0)
    page = client.get(reverse("portal:rewards")).content.decode()
    assert "The badge comes with the Champion tier" in page
    assert 'data-testid="portal-badge-get"' not in page
    after = client.post(reverse("portal:badge"), follow=True).content.decode()
    assert "The badge comes with the Champion tier" in after
    assert Badge.objects.count() == 0


def test_the_badge_needs_the_portal_session() -> None:
    assert Client().post(reverse("portal:badge")).status_code in {302, 403}
    assert Badge.objects.count() == 0
