"""A reference call the desk offered: the advocate answers it and chooses its time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.slots import AskSlot
from advocacy.portal.tests.conftest import World
from advocacy.references import services as desk
from advocacy.references.models import Offer, OfferStatus, ReferenceCall, RequestStatus
from advocacy.references.times import offer_times

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(world: World, seller: Any, member: Any) -> Offer:
    now = timezone.now()
    data = desk.RequestData(
        opportunity="Globex expansion",
        prospect_company="Globex",
        industry="Logistics",
        use_case="route planning",
        needed_by=(now + timedelta(days=14)).date(),
    )
    request = desk.file_request(data, actor=seller, now=now)
    return desk.offer(request, world.ann, actor=member, now=now, policy=DEFAULT_POLICY)


def answer(client: Client, made: Offer, choice: str) -> Any:
    return client.post(reverse("portal:ask_answer", args=[made.ask_id]), {"answer": choice})


def test_the_call_says_who_it_helps_without_naming_the_prospect(
    ann_client: Client, offered: Offer
) -> None:
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert "A company in Logistics looking at route planning" in html
    assert "Globex" not in html
    assert "15-20 minutes" in html


def test_accepting_answers_the_offer_then_the_advocate_picks_a_time(
    ann_client: Client, offered: Offer, member: Any
) -> None:
    answer(ann_client, offered, "accept")
    offered.refresh_from_db()
    assert offered.status == OfferStatus.ACCEPTED
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert "We will offer you a few times to choose from." in home

    now = timezone.now()
    first, second = now + timedelta(days=3), now + timedelta(days=4)
    slots = offer_times(offered, [second, first], actor=member, now=now)
    assert [s.starts_at for s in slots] == [first, second]
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert home.count('name="time"') == 2

    booked = ann_client.post(
        reverse("portal:ask_time", args=[offered.ask_id]), {"time": slots[1].pk}
    )
    assert booked.status_code == 302
    call = ReferenceCall.objects.get()
    assert (call.starts_at, call.organizer_id, call.contact_id) == (
        second,
        member.pk,
        offered.contact_id,
    )
    offered.ask.refresh_from_db()
    offered.request.refresh_from_db()
    assert offered.ask.status == AskStatus.SCHEDULED
    assert offered.request.status == RequestStatus.SCHEDULED
    event = offered.ask.events.latest("id")
    assert (event.actor_id, event.note) == (
        None,
        "call scheduled at the time the advocate chose in the portal",
    )
    notice = Notice.objects.get(kind=NoticeKind.CALL_TIME_CHOSEN)
    assert notice.recipient_id == member.pk
    assert "for the reference call with Globex: send the calendar invite." in notice.text
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="call-booked"' in home and 'name="time"' not in home

    again = ann_client.post(
        reverse("portal:ask_time", args=[offered.ask_id]), {"time": slots[0].pk}
    )
    assert again.status_code == 302
    assert ReferenceCall.objects.count() == 1
    assert AskSlot.objects.filter(chosen_at__isnull=False).count() == 1


def test_times_are_offered_only_once_the_call_is_accepted(offered: Offer, member: Any) -> None:
    now = timezone.now()
    with pytest.raises(desk.DeskError, match="once it is accepted"):
        offer_times(offered, [now + timedelta(days=2)], actor=member, now=now)
    offered.status, offered.ask.status = OfferStatus.ACCEPTED, AskStatus.ACCEPTED  # as if
    for bad, words in (([], "between 1 and 5"), ([now - timedelta(hours=1)], "in the past")):
        with pytest.raises(desk.DeskError, match=words):
            offer_times(offered, bad, actor=member, now=now)


def test_declining_frees_the_request_for_the_next_candidate(
    ann_client: Client, offered: Offer
) -> None:
    answer(ann_client, offered, "decline")
    offered.refresh_from_db()
    offered.request.refresh_from_db()
    assert offered.status == OfferStatus.DECLINED
    assert offered.request.status == RequestStatus.OPEN
    # (the desk's own notice of the request being filed is the team's, not the advocate's)
    assert Notice.objects.exclude(kind=NoticeKind.REQUEST_FILED).get().kind == (
        NoticeKind.ASK_DECLINED
    )


def test_a_time_of_another_ask_is_not_found(
    ann_client: Client, offered: Offer, member: Any
) -> None:
    answer(ann_client, offered, "accept")
    offered.refresh_from_db()
    now = timezone.now()
    (slot,) = offer_times(offered, [now + timedelta(days=2)], actor=member, now=now)
    other = reverse("portal:ask_time", args=[offered.ask_id + 1000])
    assert ann_client.post(other, {"time": slot.pk}).status_code == 404
    url = reverse("portal:ask_time", args=[offered.ask_id])
    assert ann_client.post(url, {"time": "soon"}).status_code == 400
    assert ann_client.post(url, {"time": slot.pk + 1000}).status_code == 404
    assert ReferenceCall.objects.count() == 0
