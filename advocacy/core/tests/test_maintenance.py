"""Planner statistics: refreshed daily and after migrations that changed something."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from advocacy.core import scheduler
from advocacy.core.maintenance import analyze, analyze_after_migrate, sort_in_files_while_migrating
from advocacy.core.models import ScheduledJob
from advocacy.core.tasks import analyze_database

pytestmark = pytest.mark.django_db


def planner_rows() -> int:
    """Rows of statistics the planner reads for the scheduled jobs' table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'core_scheduledjob'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'core_scheduledjob'")
        return int(cursor.fetchone()[0])


@pytest.fixture
def jobs() -> None:
    ScheduledJob.objects.bulk_create(
        ScheduledJob(name=f"job-{i}", next_run_at=datetime(2026, 6, 1, tzinfo=UTC))
        for i in range(50)
    )


def test_analyze_gives_the_planner_statistics(jobs: None) -> None:
    assert planner_rows() == 0
    assert analyze() == connection.vendor
    assert planner_rows() > 0


def test_after_migrate_only_when_migrations_ran(jobs: None) -> None:
    analyze_after_migrate(plan=[])
    assert planner_rows() == 0
    analyze_after_migrate(plan=[("a migration", False)])
    assert planner_rows() > 0


def test_the_daily_job_is_registered_and_runs(jobs: None) -> None:
    assert scheduler.REGISTRY["analyze-database"].every == timedelta(days=1)
    assert analyze_database.call() == {"analyzed": connection.vendor}
    assert planner_rows() > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrations_sort_in_files_then_the_setting_comes_back(sqlite_only: None) -> None:
    def temp_store() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store")
            return int(cursor.fetchone()[0])

    assert temp_store() == 2  # MEMORY, as the settings open every connection
    sort_in_files_while_migrating()
    assert temp_store() == 1  # FILE
    analyze_after_migrate(plan=[])
    assert temp_store() == 2
