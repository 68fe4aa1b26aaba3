"""/api/reviews/import: reviews from a review site (G2's API shape, or a CSV with a mapping);
each published one closes its advocate's review ask as verified (docs/connectors.md)."""

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import bounded
from advocacy.integrations.connectors.registry import Malformed
from advocacy.integrations.connectors.reviews import ReviewError, import_reviews
from advocacy.integrations.connectors.vendors.g2 import check_mapping

router = ScopedRouter(tags=["reviews"])


class ReviewsIn(Schema):
    site: Annotated[str, bounded(50)] = Field("g2", description="The review site")
    mapping: Annotated[str, bounded(100_000)] = Field(
        "", description='For a CSV: `{"columns": {"review_id": "ID", ...}}` as JSON'
    )


class VerifiedOut(Schema):
    review_id: str
    ask_id: int


class ReviewsOut(Schema):
    reviews: int
    verified: list[VerifiedOut] = Field(description="Reviews that closed their ask as verified")
    counted: list[str] = Field(description="Reviews with no ask, counted by a signal of their own")
    unchanged: int = Field(description="Reviews already known: a replay changes nothing")
    skipped: int = Field(description="Reviews not published yet")
    unmatched: list[str] = Field(description="Reviews of no known contact")
    cancelled: list[int] = Field(description="Asks not sent yet, made moot by the review")


@router.post("/reviews/import", response=ReviewsOut, operation_id="import_reviews")
def import_file(
    request: HttpRequest, form: Form[ReviewsIn], file: File[UploadedFile]
) -> dict[str, Any]:
    """Import a G2 API document (JSON) or a CSV of reviews."""
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if file.size is not None and file.size > limit:
        raise HttpError(413, f"file is {file.size} bytes, at most {limit} allowed")
    try:
        mapping = check_mapping(json.loads(form.mapping)) if form.mapping else None
    except (json.JSONDecodeError, Malformed) as exc:
        raise HttpError(422, f"mapping: {exc}") from None
    suffix = Path(file.name or "reviews.csv").suffix.lower()
    with tempfile.TemporaryDirectory(prefix="advocacy-reviews-") as folder:
        path = Path(folder) / ("reviews.json" if suffix == ".json" else "reviews.csv")
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            outcome = import_reviews(
                path, site=form.site, mapping=mapping, actor=principal_of(request).user,
                now=timezone.now(),
            )  # fmt: skip
        except ReviewError as exc:
            raise HttpError(422, str(exc)) from None
    return outcome.as_dict()
