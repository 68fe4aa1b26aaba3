"""The reference desk in the web UI: the desk page and its stats, intake, candidates, actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import Ask
from advocacy.pipeline.slots import AskSlot
from advocacy.references import services as desk
from advocacy.references.models import Offer, ReferenceCall, ReferenceRequest
from advocacy.references.tests.world import NOW, advocate, refresh

pytestmark = pytest.mark.django_db
FORM = {
    "opportunity": "Globex expansion",
    "prospect_company": "Globex",
    "prospect_contacts": "cto@globex.example",
    "industry": "SaaS",
    "region": "emea",
    "size_band": "enterprise",
    "products": "Core Platform, Billing",
    "needed_by": "2026-06-20",
    "format": "call",
}


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_intake_form_refuses_bad_input_with_field_errors(staff_client: Client) -> None:
    response = staff_client.post(
        reverse("web:reference_new"), {**FORM, "opportunity": "", "needed_by": "2026-05-01"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="error-opportunity"' in html
    assert ReferenceRequest.objects.count() == 0
    past = staff_client.post(reverse("web:reference_new"), {**FORM, "needed_by": "2026-05-01"})
    assert "needed_by: 2026-05-01 is in the past" in past.content.decode()


def test_file_offer_accept_schedule_hold(staff_client: Client, member: Any) -> None:
    advocate("ann.lee@a.example", products=("Core Platform", "Billing"))
    advocate("bob.ray@b.example", region="apac")
    refresh()
    filed = staff_client.post(reverse("web:reference_new"), FORM)
    req = ReferenceRequest.objects.get()
    assert filed["Location"] == reverse("web:reference", args=[req.pk])
    assert (req.products, req.prospect_contacts) == (
        ["Core Platform", "Billing"],
        ["cto@globex.example"],
    )

    page = staff_client.get(reverse("web:reference", args=[req.pk])).content.decode()
    assert page.index("Ann Lee") < page.index("Bob Ray")
    assert "<li>uses Core Platform, Billing +2</li>" in page
    partial = staff_client.get(
        reverse("web:reference", args=[req.pk]), headers={"HX-Request": "true"}
    )
    assert (
        partial.content.decode()
        .lstrip()
        .startswith('<section class="card" aria-labelledby="candidates-heading"')
    )

    ann = ReferenceRequest.objects.get().pk and advocate  # noqa: F841 (readability)
    contact_id = (
        Offer._meta.get_field("contact").related_model.objects.get(email="ann.lee@a.example").pk
    )
    staff_client.post(reverse("web:reference_offer", args=[req.pk]), {"contact": contact_id})
    made = Offer.objects.get()
    assert (made.status, Ask.objects.get(pk=made.ask_id).status) == ("offered", "sent")
    staff_client.post(reverse("web:reference_respond", args=[made.pk]), {"answer": "accept"})
    scheduled = staff_client.post(
        reverse("web:reference_schedule", args=[made.pk]),
        {"starts_at": "2026-06-03T15:00", "duration_minutes": "30"},
        follow=True,
    )
    assert "scheduled: the request is filled" in scheduled.content.decode()
    req.refresh_from_db()
    assert (req.status, req.filled_at) == ("scheduled", NOW)
    call = ReferenceCall.objects.get()
    ics = staff_client.get(reverse("web:reference_invite", args=[call.pk]))
    (event,) = Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=30)
    staff_client.post(
        reverse("web:reference_outcome", args=[call.pk]),
        {"outcome": "held", "rating": "5", "back": str(req.pk)},
    )
    staff_client.post(reverse("web:reference_result", args=[req.pk]), {"result": "won"})
    req.refresh_from_db()
    assert (req.status, req.result) == ("completed", "won")


def test_refused_actions_say_why(staff_client: Client) -> None:
    sad = advocate("sad@s.example", churn_risk=True)
    refresh()
    staff_client.post(reverse("web:reference_new"), FORM)
    req = ReferenceRequest.objects.get()
    shown = staff_client.post(
        reverse("web:reference_offer", args=[req.pk]), {"contact": sad.pk}, follow=True
    ).content.decode()
    assert (
        "Not offered: sad@s.example may not be asked for reference_call: excluded: churn risk."
    ) in shown
    assert Offer.objects.count() == 0


def test_desk_page_lists_requests_and_shows_the_fill_rate_alert(
    staff_client: Client, member: Any
) -> None:
    for i in range(3):
        ReferenceRequest.objects.create(
            opportunity=f"Deal {i}", prospect_company=f"P{i}", industry="Banking", region="na",
            needed_by=dt.date(2026, 6, 20), requested_by=member,
            status="unfilled" if i else "scheduled", filed_at=NOW - dt.timedelta(days=3),
            filled_at=None if i else NOW - dt.timedelta(days=2), updated_at=NOW,
        )  # fmt: skip
    html = staff_client.get(reverse("web:references")).content.decode()
    assert 'data-testid="stat-fill-rate">33%</span>' in html
    assert "All requests: fill rate 33% is under 70%: a sourcing problem" in html
    assert "Banking: fill rate 33% is under 70%" in html
    assert "Deal 0" in html and "Deal 1" not in html  # active requests by default
    unfilled = staff_client.get(
        reverse("web:references"), {"status": "unfilled"}, headers={"HX-Request": "true"}
    )
    body = unfilled.content.decode()
    assert body.lstrip().startswith('<div id="requests"')
    assert "Deal 1" in body and "Deal 0" not in body


def test_the_desk_offers_times_and_the_advocate_chooses_in_her_portal(
    staff_client: Client, member: Any, seller: Any
) -> None:
    ann = advocate("ann.lee@a.example")
    refresh()
    data = desk.RequestData(opportunity="Globex", prospect_company="Globex", industry="SaaS",
                            needed_by=(NOW + dt.timedelta(days=14)).date())  # fmt: skip
    made = desk.offer(desk.file_request(data, actor=seller, now=NOW), ann, actor=member, now=NOW,
                      policy=DEFAULT_POLICY)  # fmt: skip
    desk.respond(made, True, actor=member, now=NOW, policy=DEFAULT_POLICY)
    page = staff_client.get(reverse("web:reference", args=[made.request_id])).content.decode()
    assert 'data-testid="times-form"' in page
    times = reverse("web:reference_times", args=[made.pk])
    bad = staff_client.post(times, {"first": "2020-01-01T10:00", "duration_minutes": 20})
    assert bad.status_code == 302 and AskSlot.objects.count() == 0
    form = {"first": "2026-06-03T10:00", "second": "2026-06-04T15:30", "duration_minutes": 20}
    staff_client.post(times, form)
    assert AskSlot.objects.filter(ask=made.ask, offered_by=member).count() == 2
    page = staff_client.get(reverse("web:reference", args=[made.request_id])).content.decode()
    offered = "Offered in their portal: Wed 3 Jun, 10:00; Thu 4 Jun, 15:30."
    assert f'data-testid="times-offered">{offered}' in page
