"""Browser test of a job's page: the <progress> bar follows the job, then the result stays."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.core.models import Job, JobState
from advocacy.web.tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_bar_follows_the_job_and_the_polling_stops_at_its_result(
    page: Page, live_server: Any, member: Any
) -> None:
    now = timezone.now()
    job = Job.objects.create(
        kind="profiles",
        title="Profiles of every contact",
        state=JobState.RUNNING,
        done=1,
        total=4,
        unit="contacts",
        queued_at=now,
        updated_at=now,
    )
    log_in(page, live_server.url, f"/jobs/{job.pk}/")
    bar = page.get_by_test_id("job-progress")
    expect(bar).to_have_attribute("value", "1")
    Job.objects.filter(pk=job.pk).update(done=3)  # a worker gets on with it
    expect(bar).to_have_attribute("value", "3")
    expect(page.get_by_test_id("job-numbers")).to_have_text("75%: 3 of 4 contacts")
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, done=4, result={"refreshed": 4, "as_of": now.isoformat()}
    )
    expect(page.get_by_test_id("job-result-profiles")).to_have_text(
        "Profiles computed for 4 contact(s)."
    )
    expect(page.get_by_test_id("job")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_test_id("job-state")).to_have_text("Done")
