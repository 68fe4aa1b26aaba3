"""The advocate's asks: what is asked, Accept and Decline, the alternative after a decline, and
the owner told of each answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.portal.tests.conftest import World, ask_for

pytestmark = pytest.mark.django_db


def answer(client: Client, ask: Ask, choice: str, **more: str) -> Any:
    return client.post(reverse("portal:ask_answer", args=[ask.pk]), {"answer": choice, **more})


def test_the_page_says_what_is_asked_how_long_and_what_they_get(
    ann_client: Client, world: World
) -> None:
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert html.count('data-testid="open-ask"') == 1
    assert "Testimonial quote" in html
    assert "Approve a sentence or two about your experience, shown with your name." in html
    assert "About 5 minutes" in html
    assert 'data-testid="incentive">Featured on the customers page<' in html
    assert ">Accept</button>" in html and ">Decline</button>" in html


def test_asks_not_yet_sent_are_not_shown(ann_client: Client, world: World) -> None:
    ask_for(world.ann, "reference_call", status=AskStatus.PROPOSED)  # outside the windows
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert html.count('data-testid="open-ask"') == 1


def test_accepting_moves_the_ask_and_tells_its_owner(ann_client: Client, world: World) -> None:
    response = answer(ann_client, world.testimonial, "accept", reason="Happy to help")
    assert response.status_code == 302
    ask = Ask.objects.get(pk=world.testimonial.pk)
    assert ask.status == AskStatus.ACCEPTED
    event = AskEvent.objects.filter(ask=ask).latest("id")
    assert (event.from_status, event.to_status, event.actor_id) == ("sent", "accepted", None)
    assert event.note == "accepted by the advocate in the portal: Happy to help"
    notice = Notice.objects.get()
    assert (notice.kind, notice.ask_id, notice.recipient_id, notice.role) == (
        NoticeKind.ASK_ACCEPTED,
        ask.pk,
        world.csm.pk,
        "cs",
    )
    assert notice.text == "Ann Archer accepted the testimonial quote ask."
    assert list(Notice.objects.for_user(world.csm).undelivered()) == [notice]
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="in-progress"' in home and 'data-testid="open-ask"' not in home


def test_answering_twice_changes_nothing_the_second_time(ann_client: Client, world: World) -> None:
    answer(ann_client, world.testimonial, "accept")
    again = answer(ann_client, world.testimonial, "decline")
    assert again.status_code == 302
    follow = ann_client.get(reverse("portal:home")).content.decode()
    assert "already answered or withdrawn" in follow
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.ACCEPTED
    assert Notice.objects.count() == 1


def test_declining_offers_the_fallback_and_one_click_takes_it(
    ann_client: Client, world: World
) -> None:
    response = answer(ann_client, world.testimonial, "decline", reason="Not this month")
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.DECLINED
    review = Ask.objects.get(moment=f"fallback:{world.testimonial.pk}")
    assert (review.ask_type.code, review.status) == ("review", AskStatus.PROPOSED)
    assert response["Location"] == f"/portal/#ask-{review.pk}"
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert "no hard feelings" in html
    assert html.count('data-testid="alternative"') == 1
    assert "You said no to the testimonial quote" in html
    declined = Notice.objects.get(kind=NoticeKind.ASK_DECLINED)
    assert declined.text == (
        "Ann Archer declined the testimonial quote ask: “Not this month”. "
        "They were offered the alternative: Review (G2, Capterra, TrustRadius)."
    )

    ann_client.post(reverse("portal:ask_alternative", args=[review.pk]), {"answer": "yes"})
    review.refresh_from_db()
    assert review.status == AskStatus.ACCEPTED
    moves = list(review.events.values_list("from_status", "to_status", "actor_id"))
    assert moves[-2:] == [("proposed", "sent", None), ("sent", "accepted", None)]
    assert Notice.objects.filter(kind=NoticeKind.ALTERNATIVE_ACCEPTED, ask=review).count() == 1


def test_no_thanks_to_the_alternative_cancels_it(ann_client: Client, world: World) -> None:
    answer(ann_client, world.testimonial, "decline")
    review = Ask.objects.get(moment=f"fallback:{world.testimonial.pk}")
    ann_client.post(reverse("portal:ask_alternative", args=[review.pk]), {"answer": "no"})
    review.refresh_from_db()
    assert review.status == AskStatus.CANCELLED
    assert (
        'data-testid="alternative"' not in ann_client.get(reverse("portal:home")).content.decode()
    )


def test_a_bad_answer_is_refused(ann_client: Client, world: World) -> None:
    assert answer(ann_client, world.testimonial, "maybe").status_code == 400
    alternative = reverse("portal:ask_alternative", args=[world.testimonial.pk])
    assert ann_client.post(alternative, {"answer": "perhaps"}).status_code == 400
    assert ann_client.post(alternative, {"answer": "yes"}).status_code == 302
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.SENT  # no alternative


def test_another_contacts_ask_is_not_found(ann_client: Client, world: World) -> None:
    theirs = ask_for(world.bob, "community")
    for name in ("portal:ask_answer", "portal:ask_alternative", "portal:ask_time"):
        response = ann_client.post(reverse(name, args=[theirs.pk]), {"answer": "accept"})
        assert response.status_code == 404, name
        assert b'data-testid="portal-not-found"' in response.content  # the portal's own page
    assert Ask.objects.get(pk=theirs.pk).status == AskStatus.SENT
    assert ann_client.post(reverse("portal:ask_answer", args=[999_999])).status_code == 404


def test_a_paused_ask_cannot_be_answered(ann_client: Client, world: World) -> None:
    Ask.objects.filter(pk=world.testimonial.pk).update(paused_at=world.now, paused_reason="ticket")
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="open-ask"' not in html
    answer(ann_client, world.testimonial, "accept")
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.SENT


def test_answers_need_a_portal_session(client: Client, world: World, member: Any) -> None:
    assert answer(client, world.testimonial, "accept").status_code == 403
    client.force_login(member)
    response = answer(client, world.testimonial, "accept")
    assert response.status_code == 403
    assert 'data-testid="need-link"' in response.content.decode()
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.SENT


def test_an_address_that_names_nothing_gets_the_portals_page(
    ann_client: Client, client: Client, world: World
) -> None:
    for who in (ann_client, client):
        response = who.get("/portal/no/such/page/")
        assert response.status_code == 404
        assert b'data-testid="portal-not-found"' in response.content
    assert ann_client.get("/portal/history")["Location"] == "/portal/history/"


def test_the_page_costs_the_same_queries_however_many_asks(
    ann_client: Client, world: World, member: Any
) -> None:
    """One ask of each kind on the page (waiting, an alternative, said yes to), then three."""

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert ann_client.get(reverse("portal:home")).status_code == 200
        return len(seen.captured_queries)

    def opened(code: str, moment: str, status: str = AskStatus.SENT) -> Ask:
        request = AskRequest(world.ann.pk, AskType.objects.get(code=code), moment,
                             play="renewal-testimonial", status=status)  # fmt: skip
        result = open_asks([request], now=world.now, actor=member, override_reason="a test")
        return result.opened[0]

    answer(ann_client, world.testimonial, "decline")  # an alternative
    answer(ann_client, opened("review", "a"), "accept")  # said yes to
    opened("community", "b")  # waiting
    few = count()
    for n, code in enumerate(("case_study", "video_testimonial")):
        opened(code, f"more:{n}")
        answer(ann_client, opened("speaker", f"yes:{n}"), "accept")
        opened("anonymous_quote", f"fallback:{world.testimonial.pk + 100 + n}", AskStatus.PROPOSED)
    html = ann_client.get(reverse("portal:home")).content.decode()
    assert html.count('data-testid="open-ask"') == 3
    assert html.count('data-testid="alternative"') == 3
    assert html.count('data-testid="in-progress"') == 3
    assert count() == few
