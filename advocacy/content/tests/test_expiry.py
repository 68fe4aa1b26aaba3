"""The expiry job: assets past their consent expire, those expiring soon are flagged once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.content.models import Asset, AssetEvent, Repermission
from advocacy.content.services import expire_assets
from advocacy.content.tasks import expire_content
from advocacy.content.tests.conftest import NOW, asset_in
from advocacy.core.scheduler import REGISTRY, tick

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_the_job_expires_past_consent_and_flags_the_soon_expiring() -> None:
    gone = asset_in("published", expires_at=NOW - DAY)
    gone_approved = asset_in("approved", expires_at=NOW)
    soon = asset_in("approved", expires_at=NOW + 10 * DAY)
    in_review = asset_in("advocate_review", expires_at=NOW + 30 * DAY)
    later = asset_in("published", expires_at=NOW + 31 * DAY)
    draft = asset_in("draft", expires_at=NOW - DAY)
    run = expire_assets(NOW, repermission_days=30)
    assert run.expired == [gone.pk, gone_approved.pk]
    assert run.flagged == sorted([soon.pk, in_review.pk])
    statuses = dict(Asset.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in (gone, gone_approved, soon, in_review, later, draft)] == [
        "expired",
        "expired",
        "approved",
        "advocate_review",
        "published",
        "draft",
    ]
    event = AssetEvent.objects.filter(asset=gone).last()
    assert event is not None
    assert (event.from_status, event.to_status, event.actor_id, event.note, event.at) == (
        "published",
        "expired",
        None,
        "consent expired",
        NOW,
    )
    reminders = list(Repermission.objects.open().values_list("asset_id", "expires_at"))
    assert sorted(reminders) == sorted([(soon.pk, NOW + 10 * DAY), (in_review.pk, NOW + 30 * DAY)])


def test_running_again_changes_nothing() -> None:
    asset_in("published", expires_at=NOW - DAY)
    asset_in("approved", expires_at=NOW + 3 * DAY)
    expire_assets(NOW, repermission_days=30)
    again = expire_assets(NOW + dt.timedelta(hours=1), repermission_days=30)
    assert (again.expired, again.flagged) == ([], [])
    assert Repermission.objects.count() == 1
    assert AssetEvent.objects.filter(to_status="expired").count() == 1


def test_an_expiry_closes_the_open_reminder() -> None:
    asset = asset_in("published", expires_at=NOW + 3 * DAY)
    expire_assets(NOW, repermission_days=30)
    expire_assets(NOW + 4 * DAY, repermission_days=30)
    reminder = Repermission.objects.get(asset=asset)
    assert (reminder.resolved_at, reminder.resolution) == (
        NOW + 4 * DAY,
        "expired before the consent was renewed",
    )


@pytest.mark.parametrize("n", [1, 40])
def test_the_job_issues_the_same_queries_for_1_or_40_assets(n: int) -> None:
    for i in range(n):
        if i % 2:
            asset_in("published", expires_at=NOW - DAY)
        else:
            asset_in("approved", expires_at=NOW + 5 * DAY)
    with CaptureQueriesContext(connection) as queries:
        expire_assets(NOW, repermission_days=30)
    assert len(queries) <= 8


def test_the_job_is_registered_and_runs_as_a_task(settings: Any) -> None:
    settings.CONTENT_REPERMISSION_DAYS = 15
    assert REGISTRY["expire-content"].every == dt.timedelta(hours=1)
    gone = asset_in("published", expires_at=NOW - DAY)
    flagged = asset_in("published", expires_at=NOW + 14 * DAY)
    asset_in("published", expires_at=NOW + 16 * DAY)
    with time_machine.travel(NOW, tick=False):
        result = expire_content.call()
        assert "expire-content" in tick(NOW)
    assert result == {"expired": [gone.pk], "flagged": [flagged.pk]}
