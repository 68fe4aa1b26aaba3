"""The value moments' pages: preview, send with confirmation, the year in review, the weekly
opt-in, and the reciprocity balance beside the next best ask; each with its role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.core.models import Job
from advocacy.value.models import InsightsPreference, ValueMoment
from advocacy.value.tests.conftest import _names, world  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_preview_and_send_with_confirmation(member: Any, world: Any) -> None:  # noqa: F811
    web = _as(member)
    page = web.get("/value/")
    assert page.status_code == 200
    assert b"Monthly admin insights" in page.content
    month = f"{timezone.now():%Y-%m}"
    shown = web.get(f"/value/monthly/preview/{world['ada'].pk}/")
    assert shown.status_code == 200
    assert b"Acme&#x27;s Beacon insights for" in shown.content
    confirm = web.get("/value/monthly/send/")
    assert b"Send to 1" in confirm.content
    assert ValueMoment.objects.count() == 0
    done = web.post("/value/monthly/send/", {"confirm": "yes"})
    assert done.status_code == 302
    assert Job.objects.get().result["written"] == 1
    assert ValueMoment.objects.get().contact == world["ada"]
    early = web.post("/value/monthly/send/", {"confirm": "yes", "period": month})
    assert early.status_code == 302 and ValueMoment.objects.count() == 1


def test_a_seller_may_look_but_not_send(seller: Any, world: Any) -> None:  # noqa: F811
    web = _as(seller)
    assert web.get(f"/value/monthly/preview/{world['ada'].pk}/").status_code == 200
    assert web.get("/value/monthly/send/").status_code == 403
    assert web.post("/value/monthly/send/", {"confirm": "yes"}).status_code == 403
    assert web.post(f"/contacts/{world['bo'].pk}/weekly/", {"weekly": "on"}).status_code == 403
    assert ValueMoment.objects.count() == 0 and not InsightsPreference.objects.exists()


def test_the_weekly_toggle_and_the_year(member: Any, world: Any) -> None:  # noqa: F811
    web = _as(member)
    contact = web.get(f"/contacts/{world['bo'].pk}/")
    assert b'data-testid="weekly-state">off' in contact.content
    web.post(f"/contacts/{world['bo'].pk}/weekly/", {"weekly": "on"})
    assert InsightsPreference.objects.get(contact=world["bo"]).set_in == "staff"
    year = web.get(f"/accounts/{world['acme'].pk}/wrapped/")
    assert year.status_code == 200 and year.content.count(b"<svg") == 2
    assert web.get(f"/contacts/{world['bo'].pk}/wrapped/").status_code == 200
    pdf = web.post(f"/accounts/{world['acme'].pk}/wrapped/pdf/", {})
    assert pdf.status_code == 302
    assert Job.objects.get(kind="value_wrapped_pdf").state == "done"


def test_reciprocity_beside_the_next_best_ask(member: Any, world: Any) -> None:  # noqa: F811
    got = _as(member).get(f"/contacts/{world['bo'].pk}/next-ask/")
    assert got.status_code == 200
    assert b"Gave / asked, 12 months</dt><dd>0 / 0" in got.content
