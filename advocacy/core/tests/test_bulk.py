"""Plain-row inserts: every column filled as a new instance would be, ids returned by key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from advocacy.core.bulk import insert_returning, insert_rows
from advocacy.core.models import IdempotencyRecord, ScheduledJob

AT = dt.datetime(2026, 5, 4, 3, 2, 1, 123_456, tzinfo=dt.UTC)


def test_rows_go_in_with_adapted_moments_and_the_other_columns_defaulted(db: Any) -> None:
    insert_rows(ScheduledJob, ("name", "next_run_at"), [("a", AT), ("b", AT)])
    jobs = list(ScheduledJob.objects.order_by("name").values("name", "next_run_at", "last_run_at"))
    assert jobs == [
        {"name": "a", "next_run_at": AT, "last_run_at": None},
        {"name": "b", "next_run_at": AT, "last_run_at": None},
    ]


def test_a_conflict_clause_skips_existing_rows_and_without_it_the_insert_fails(db: Any) -> None:
    insert_rows(ScheduledJob, ("name", "next_run_at"), [("a", AT)])
    insert_rows(
        ScheduledJob, ("name", "next_run_at"), [("a", AT), ("c", AT)],
        conflict="ON CONFLICT (name) DO NOTHING",
    )  # fmt: skip
    assert sorted(ScheduledJob.objects.values_list("name", flat=True)) == ["a", "c"]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ScheduledJob, ("name", "next_run_at"), [("a", AT)])


def test_returning_gives_each_new_row_its_id_and_auto_now_columns_are_set(
    db: Any, owner: Any
) -> None:
    rows = [(owner.pk, f"key-{i}", "POST", "/api/x", "h" * 64) for i in range(1200)]
    back = insert_returning(
        IdempotencyRecord, ("user_id", "key", "method", "path", "request_hash"), rows,
        returning=("id", "key"),
    )  # fmt: skip
    assert len(back) == 1200
    stored = dict(IdempotencyRecord.objects.values_list("key", "id"))
    assert {key: pk for pk, key in back} == stored
    record = IdempotencyRecord.objects.get(key="key-7")
    assert record.content_type == "" and record.status_code is None
    assert record.created_at is not None


def test_returning_with_a_conflict_clause_gives_only_the_rows_inserted(db: Any) -> None:
    insert_rows(ScheduledJob, ("name", "next_run_at"), [("a", AT)])
    back = insert_returning(
        ScheduledJob, ("name", "next_run_at"), [("a", AT), ("b", AT), ("c", AT)],
        returning=("name",), conflict="ON CONFLICT (name) DO NOTHING",
    )  # fmt: skip
    assert sorted(back) == [("b",), ("c",)]
    assert sorted(ScheduledJob.objects.values_list("name", flat=True)) == ["a", "b", "c"]
