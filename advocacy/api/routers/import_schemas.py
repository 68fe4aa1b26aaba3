"""Schemas of CSV imports: the upload form (ImportIn) and a run's counts (ImportRunOut)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from advocacy.api.schemas import bounded
from advocacy.signals.imports import PRESETS
from advocacy.signals.models import ImportKind


class ImportIn(Schema):
    """The form fields sent beside the file (multipart/form-data)."""

    kind: ImportKind
    preset: Annotated[str, bounded(30)] = Field(
        "", description=f"Column names of a known export: {', '.join(sorted(PRESETS))}"
    )
    mapping: Annotated[str, bounded(100_000)] = Field(
        "", description="A mapping for other files, as JSON (see docs/csv-import.md)"
    )
    strict: bool = Field(False, description="Write nothing if any row is bad")
    dry_run: bool = Field(False, description="Only preview: count what would change; commit later")

    @field_validator("mapping")
    @classmethod
    def _json_object(cls, value: str) -> str:
        if value:
            try:
                loaded = json.loads(value)
            except ValueError as exc:
                raise ValueError(f"mapping is not valid JSON: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ValueError("mapping must be a JSON object")
        return value

    def mapping_dict(self) -> dict[str, Any] | None:
        return json.loads(self.mapping) if self.mapping else None


class ImportRunOut(Schema):
    id: int
    kind: str
    status: str = Field(
        description="previewing or committing (under way, or stopped: see resume), previewed, "
        "committed, rejected (strict) or failed"
    )
    filename: str
    preset: str
    strict: bool
    encoding: str
    delimiter: str
    file_bytes: int
    rows_total: int = Field(description="Rows done: while under way, those committed so far")
    created: int
    updated: int
    unchanged: int
    rejected: int
    started_at: datetime
    progressed_at: datetime | None = Field(description="When its counts last moved")
    finished_at: datetime | None
    errors_url: str
    job_url: str | None = Field(description="The job doing it, when it went to one")

    @staticmethod
    def resolve_errors_url(obj: Any) -> str:
        return reverse("api:import_errors", kwargs={"run_id": obj.pk})

    @staticmethod
    def resolve_job_url(obj: Any) -> str | None:
        if obj.job_id is None:
            return None
        return reverse("api:get_job", kwargs={"job_id": obj.job_id})
