"""Preferences: what the advocate does, how often, how to reach them; they tighten the caps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import AskTypePreference, ContactPreference
from advocacy.engine.policy import DEFAULT_POLICY, EFFORTS
from advocacy.pipeline.models import AskStatus, AskType
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.preferences import AdvocatePreferences
from advocacy.portal.tests.conftest import World, enter, make_contact

pytestmark = pytest.mark.django_db


def everything(**changes: Any) -> dict[str, Any]:
    """The form as it comes when the advocate ticks every kind of ask and changes nothing."""
    form: dict[str, Any] = {f"willing_{t.code}": "on" for t in AskType.objects.filter(active=True)}
    form.update(every_days="0", count_reference_call="1")
    for key, value in changes.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return form


def client_of(contact: Contact) -> Client:
    client = Client()
    assert enter(client, contact).status_code == 302
    return client


def test_the_page_shows_every_kind_of_ask_ticked_and_the_programs_pace(
    ann_client: Client, world: World
) -> None:
    html = ann_client.get(reverse("portal:preferences")).content.decode()
    active = AskType.objects.filter(active=True).count()
    assert html.count('type="checkbox" name="willing_') == active
    assert html.count("checked") >= active
    assert "How often may we ask you?" in html
    assert '<option value="0" selected>As often as the program allows</option>' in html
    assert "Reference call: how many a month, at most?" in html
    assert "About 5 minutes" in html  # what each kind of ask takes


def test_saving_records_each_choice_and_tells_the_csm(ann_client: Client, world: World) -> None:
    form = everything(
        willing_case_study=None,
        every_days="90",
        count_reference_call="2",
        channels=["email", "video"],
        topics=["results", "advice"],
    )
    response = ann_client.post(reverse("portal:preferences"), form)
    assert response.status_code == 302
    days = dict(
        ContactPreference.objects.filter(contact=world.ann).values_list(
            "effort", "min_days_between"
        )
    )
    assert days == dict.fromkeys(EFFORTS, 90)
    chosen = {
        p.ask_type.code: (p.willing, p.max_asks)
        for p in AskTypePreference.objects.filter(contact=world.ann).select_related("ask_type")
    }
    assert chosen["case_study"] == (False, None)
    assert chosen["reference_call"] == (True, 2)
    assert chosen["review"] == (True, None)
    reach = AdvocatePreferences.objects.get(contact=world.ann)
    assert (reach.channels, reach.topics) == (["email", "video"], ["results", "advice"])
    notice = Notice.objects.get(kind=NoticeKind.PREFERENCES_CHANGED)
    assert notice.recipient_id == world.csm.pk
    assert notice.text == (
        "Ann Archer changed their preferences: at most once a quarter; not for case study."
    )
    html = ann_client.get(reverse("portal:preferences")).content.decode()
    assert '<option value="90" selected>At most once a quarter</option>' in html
    assert '<option value="2" selected>2</option>' in html

    ann_client.post(reverse("portal:preferences"), everything())
    assert ContactPreference.objects.filter(contact=world.ann).count() == 0  # back to the pace


@pytest.mark.parametrize(
    "bad",
    [
        {"every_days": "45"},
        {"count_reference_call": "4"},  # the policy allows three a month at most
        {"count_reference_call": "0"},
        {"channels": ["carrier pigeon"]},
        {"topics": ["gossip"]},
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    ann_client: Client, world: World, bad: dict[str, Any]
) -> None:
    response = ann_client.post(reverse("portal:preferences"), everything(**bad))
    assert response.status_code == 422
    assert AskTypePreference.objects.filter(contact=world.ann).count() == 0
    assert ContactPreference.objects.filter(contact=world.ann).count() == 0


def test_once_a_quarter_refuses_a_second_ask_the_policy_alone_would_allow(world: World) -> None:
    """GIVEN two advocates asked for a community post (low effort: the policy asks again after
    30 days), one of whom said "at most once a quarter" in the portal; WHEN each is asked again
    40 days later; THEN only the one who said nothing is asked, and she is 91 days later."""
    community = AskType.objects.get(code="community")
    cat = make_contact(world.bob.account, "Cat")
    bob_portal = client_of(world.bob)
    assert (
        bob_portal.post(reverse("portal:preferences"), everything(every_days="90")).status_code
        == 302
    )
    t0 = world.now

    def ask(contact: Contact, days: int) -> bool:
        request = AskRequest(contact.pk, community, f"day:{days}", status=AskStatus.SENT)
        return bool(open_asks([request], now=t0 + timedelta(days=days)).opened)

    assert (ask(world.bob, 0), ask(cat, 0)) == (True, True)
    assert ask(cat, 40) is True  # the policy alone allows it
    assert ask(world.bob, 40) is False  # her own pace does not
    assert ask(world.bob, 89) is False
    assert ask(world.bob, 91) is True


def test_a_kind_of_ask_they_do_not_do_is_never_opened(world: World) -> None:
    bob_portal = client_of(world.bob)
    bob_portal.post(reverse("portal:preferences"), everything(willing_community=None))
    community = AskType.objects.get(code="community")
    result = open_asks(
        [AskRequest(world.bob.pk, community, "any")], now=world.now, policy=DEFAULT_POLICY
    )
    assert (len(result.opened), len(result.capped)) == (0, 1)


def test_two_reference_calls_a_month_when_they_say_so(world: World) -> None:
    call = AskType.objects.get(code="reference_call")

    def ask(days: int) -> bool:
        request = AskRequest(world.bob.pk, call, f"call:{days}")
        return bool(open_asks([request], now=world.now + timedelta(days=days)).opened)

    assert (ask(0), ask(1)) == (True, False)  # the policy's default: one a month
    client_of(world.bob).post(reverse("portal:preferences"), everything(count_reference_call="2"))
    assert (ask(2), ask(3)) == (True, False)
