"""Magic links: opening one logs nobody in, the button redeems it once, and every bad link gets
its own page (expired, used, forged, closed) with a way forward."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.customers.models import Contact
from advocacy.messaging.links import ENTER, link_path
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.portal.models import RedeemedLink
from advocacy.portal.session import CONTACT_KEY
from advocacy.portal.tests.conftest import World
from advocacy.portal.tests.racing import race_posts

pytestmark = pytest.mark.django_db


def test_opening_the_link_shows_one_button_and_logs_nobody_in(client: Client, world: World) -> None:
    path = link_path(world.ann.pk)
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="enter-button"') == 1
    assert "Open my advocate portal" in html
    assert CONTACT_KEY not in client.session
    assert RedeemedLink.objects.count() == 0
    assert client.get(reverse("portal:home")).status_code == 403
    assert page["Cache-Control"].count("no-store") == 1


def test_the_button_opens_the_portal_of_that_advocate(client: Client, world: World) -> None:
    before = client.get(link_path(world.ann.pk))  # the GET gives the CSRF cookie, as a browser
    assert before.status_code == 200
    response = client.post(link_path(world.ann.pk, ask_id=world.testimonial.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/portal/#ask-{world.testimonial.pk}"
    assert client.session[CONTACT_KEY] == world.ann.pk
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert 'data-testid="greeting">Hello Ann<' in home.content.decode()
    link = RedeemedLink.objects.get()
    assert (link.contact_id, link.ask_id) == (world.ann.pk, world.testimonial.pk)


def test_the_session_key_changes_when_the_link_is_redeemed(client: Client, world: World) -> None:
    client.get(reverse("portal:home"))
    session = client.session
    session["something"] = "before"
    session.save()
    before = session.session_key
    client.post(link_path(world.ann.pk))
    assert client.session.session_key != before


def test_the_link_again_in_the_browser_it_opened_goes_back_to_the_portal(
    client: Client, world: World
) -> None:
    path = link_path(world.ann.pk)
    assert client.post(path).status_code == 302
    for again in (client.get(path), client.post(path)):  # back, reload, a second click
        assert (again.status_code, again["Location"]) == (302, "/portal/")
    assert RedeemedLink.objects.count() == 1


def test_a_link_works_once(client: Client, world: World) -> None:
    path = link_path(world.ann.pk)
    assert client.post(path).status_code == 302
    other = Client()
    again = other.post(path)
    assert again.status_code == 410
    html = again.content.decode()
    assert 'data-reason="used"' in html
    assert "already used" in html
    assert 'data-testid="fresh-link"' in html
    assert CONTACT_KEY not in other.session
    # The page of a used link says so before anyone presses anything.
    assert 'data-reason="used"' in other.get(path).content.decode()


def test_an_expired_link_offers_a_fresh_one_and_the_csm_is_told_once(
    client: Client, world: World
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        path = link_path(world.ann.pk)
    page = client.post(path)
    assert page.status_code == 410
    assert 'data-reason="expired"' in page.content.decode()
    assert CONTACT_KEY not in client.session
    token = path[len(ENTER) : -1]
    fresh = reverse("portal:fresh_link", kwargs={"token": token})
    first = client.post(fresh)
    assert first.status_code == 200
    assert "asked for a fresh link" in first.content.decode()
    client.post(fresh)
    notice = Notice.objects.get()
    assert (notice.kind, notice.contact_id, notice.recipient_id) == (
        NoticeKind.LINK_REQUESTED,
        world.ann.pk,
        world.csm.pk,
    )
    assert notice.text == "Ann Archer asked for a new portal link (theirs had expired)."


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),  # the signature changed
        lambda t: "x" + t,  # the payload changed
        lambda t: "not-a-token",
    ],
)
def test_a_forged_link_opens_nothing_and_offers_nothing(
    client: Client, world: World, alter: Any
) -> None:
    token = link_path(world.ann.pk)[len(ENTER) : -1]
    path = f"{ENTER}{alter(token)}/"
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        html = response.content.decode()
        assert 'data-reason="forged"' in html
        assert 'data-testid="fresh-link"' not in html
    fresh = client.post(f"{ENTER}{alter(token)}/fresh/")
    assert "Ask your contact for a new link" in fresh.content.decode()
    assert (RedeemedLink.objects.count(), Notice.objects.count()) == (0, 0)
    assert CONTACT_KEY not in client.session


def test_a_fresh_link_is_not_requested_for_a_link_that_still_works(
    client: Client, world: World
) -> None:
    token = link_path(world.ann.pk)[len(ENTER) : -1]
    response = client.post(reverse("portal:fresh_link", kwargs={"token": token}))
    assert response.status_code == 302
    assert Notice.objects.count() == 0


def test_the_link_of_someone_who_left_or_was_erased_opens_nothing(
    client: Client, world: World
) -> None:
    left, erased = link_path(world.ann.pk), link_path(world.bob.pk)
    Contact.objects.filter(pk=world.ann.pk).update(left_company_at=timezone.now())
    Contact.objects.filter(pk=world.bob.pk).delete()
    for path in (left, erased):
        response = client.post(path)
        assert response.status_code == 410
        assert 'data-reason="closed"' in response.content.decode()
    assert RedeemedLink.objects.count() == 0


def test_a_staff_login_does_not_redeem_a_link(client: Client, world: World, member: Any) -> None:
    client.force_login(member)
    path = link_path(world.ann.pk)
    response = client.post(path)
    assert response.status_code == 403
    assert 'data-testid="enter-staff"' in response.content.decode()
    assert RedeemedLink.objects.count() == 0
    assert CONTACT_KEY not in client.session
    # The link is still good for the advocate it was sent to.
    assert Client().post(path).status_code == 302


def test_leaving_ends_the_portal_session(ann_client: Client) -> None:
    assert ann_client.get(reverse("portal:home")).status_code == 200
    assert ann_client.post(reverse("portal:leave")).status_code == 200
    assert ann_client.get(reverse("portal:home")).status_code == 403


def test_the_portal_session_ends_after_its_hours(ann_client: Client, settings: Any) -> None:
    """However busy: a request every 20 minutes keeps the idle timeout away, not this one."""
    settings.PORTAL_SESSION_HOURS = 1
    start = timezone.now()
    for minutes in (20, 40, 59):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert ann_client.get(reverse("portal:home")).status_code == 200, minutes
    with time_machine.travel(start + timedelta(minutes=61)):
        assert ann_client.get(reverse("portal:home")).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_redemptions_at_once_one_wins_the_other_is_told_it_was_used(
    postgres_only: None, world: World
) -> None:
    path = link_path(world.ann.pk)
    assert Client().get(reverse("portal:home")).status_code == 403  # load the URLs once
    assert Counter(race_posts(path, workers=6)) == Counter({302: 1, 410: 5})
    assert RedeemedLink.objects.count() == 1
