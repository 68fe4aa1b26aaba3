"""Opting out in one click, and the advocate's history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import AssetStatus
from advocacy.content.services import create_asset, grant_consent, move_asset
from advocacy.pipeline.agreement_services import create_agreement
from advocacy.pipeline.agreements import AgreementStatus
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.services import advance_ask
from advocacy.portal.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_opting_out_is_one_click_and_stops_everything(ann_client: Client, world: World) -> None:
    agreement = create_agreement(
        world.ann, scope=["review"], starts_on=world.now.date(), signed_on=world.now.date(),
        status=AgreementStatus.ACTIVE, actor=None, now=world.now,
    )  # fmt: skip
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert home.count('data-testid="opt-out"') == 1
    response = ann_client.post(reverse("portal:opt_out"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No hard feelings" in html
    world.ann.refresh_from_db()
    agreement.refresh_from_db()
    assert world.ann.opted_out_at is not None
    assert agreement.status == AgreementStatus.OPTED_OUT
    assert Ask.objects.get(pk=world.testimonial.pk).status == AskStatus.CANCELLED
    notice = Notice.objects.get(kind=NoticeKind.OPTED_OUT)
    assert notice.recipient_id == world.csm.pk
    assert (
        notice.text == "Ann Archer opted out of the program in the portal; 1 open ask(s) cancelled."
    )
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="opted-out-note"' in home and 'data-testid="opt-out"' not in home
    ann_client.post(reverse("portal:opt_out"))
    assert Notice.objects.filter(kind=NoticeKind.OPTED_OUT).count() == 1


def test_the_history_shows_asks_answers_content_and_what_they_were_given(
    ann_client: Client, world: World, marketer: Any
) -> None:
    ann_client.post(reverse("portal:ask_answer", args=[world.testimonial.pk]), {"answer": "accept"})
    ask = Ask.objects.get(pk=world.testimonial.pk)
    advance_ask(ask, AskStatus.COMPLETED, actor=marketer, now=timezone.now())
    now = timezone.now()
    asset = create_asset(kind="quote", title="The weekly report quote", contact=world.ann,
                         actor=marketer, now=now, body="Great")  # fmt: skip
    move_asset(asset, AssetStatus.ADVOCATE_REVIEW, actor=marketer, now=now)
    grant_consent(asset, ["quote"], expires_at=now.replace(year=now.year + 1), actor=None, now=now)
    never_shown = create_asset(kind="quote", title="A draft", contact=world.ann, actor=marketer,
                               now=now)  # fmt: skip
    html = ann_client.get(reverse("portal:history")).content.decode()
    assert "Testimonial quote" in html and "You accepted on" in html
    assert "The weekly report quote" in html and never_shown.title not in html
    assert "Testimonial quote</strong> done: Featured on the customers page." in html
