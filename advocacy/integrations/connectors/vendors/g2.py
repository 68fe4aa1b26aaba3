"""G2 reviews: the G2 API v2 review shape (JSON:API), and CSV files with a mapping.

G2's API (data.g2.com, built on the jsonapi.org specification) answers a page of reviews as
a document `{"data": [resource, ...], "links": {"next": ...}, "meta": {...}}`, each resource
`{"id", "type": "survey-responses", "attributes": {...}, "relationships": {...}}`. What is
read of a resource:

- `id`: G2's id of the review: a review is counted once by it;
- `attributes.star_rating` (0-5, halves), `attributes.title`, `attributes.url` (or `slug`);
- when it was published: `attributes.published_at`, else `moderated_at`, else `submitted_at`;
- whether it is published: `attributes.is_public` (false: not published), and
  `attributes.review_status` or `moderation_status` when given (`published` or `approved`);
  a review not published yet is skipped, and counted when a later read shows it published;
- the reviewer: `attributes.user_email` (or `reviewer_email`, when the vendor shares it), else
  G2's user id (`attributes.user_id` or `relationships.user.data.id`), matched as a contact
  identity of source `g2`.

A CSV file (a my.G2 export, or any tool's) is read with our column names or a mapping file
(`columns: {review_id: "Review ID", ...}`), the same YAML as the signals import's mappings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from advocacy.integrations.connectors.registry import Malformed, email_of, from_iso
from advocacy.signals.imports.reading import detect_encoding, normalise_header

SITE = "g2"
PUBLISHED = frozenset({"published", "approved", "live"})


@dataclass(frozen=True)
class Review:
    site: str
    review_id: str
    published: bool
    published_at: datetime | None
    email: str | None = None
    person_id: str = ""
    rating: float | None = None
    title: str = ""
    url: str = ""


def _rating(value: Any, where: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise Malformed(f"{where}: not a star rating: {value!r}") from None
    if not 0 <= number <= 5:
        raise Malformed(f"{where}: a star rating is from 0 to 5, found {value!r}")
    return number


def _published(attributes: Mapping[str, Any]) -> bool:
    if attributes.get("is_public") is False:
        return False
    status = attributes.get("review_status", attributes.get("moderation_status"))
    return status is None or str(status).strip().lower() in PUBLISHED


def from_resource(resource: Any, *, index: int = 0) -> Review:
    """One JSON:API resource of G2's review shape as a Review; Malformed naming what is wrong."""
    where = f"data[{index}]"
    if not isinstance(resource, dict) or not resource.get("id"):
        raise Malformed(f"{where}: a resource with an id is expected")
    attributes = resource.get("attributes")
    if not isinstance(attributes, dict):
        raise Malformed(f"{where}: attributes are missing")
    user = ((resource.get("relationships") or {}).get("user") or {}).get("data") or {}
    person = attributes.get("user_id") or (user.get("id") if isinstance(user, dict) else None)
    moment = next(
        (
            attributes[k]
            for k in ("published_at", "moderated_at", "submitted_at")
            if attributes.get(k)
        ),
        None,
    )
    return Review(
        site=SITE,
        review_id=str(resource["id"]),
        published=_published(attributes),
        published_at=from_iso(moment) if moment is not None else None,
        email=email_of(attributes.get("user_email") or attributes.get("reviewer_email")),
        person_id=str(person or ""),
        rating=_rating(attributes.get("star_rating"), f"{where}.attributes.star_rating"),
        title=str(attributes.get("title") or "")[:500],
        url=str(attributes.get("url") or attributes.get("slug") or "")[:500],
    )


def from_document(document: Any) -> list[Review]:
    """A G2 API document (a page: `data` a list; or one review: `data` an object)."""
    if not isinstance(document, dict) or "data" not in document:
        raise Malformed("a G2 API document is a JSON object with `data`")
    data = document["data"]
    resources = data if isinstance(data, list) else [data]
    return [from_resource(r, index=i) for i, r in enumerate(resources)]


# Our column names, and the candidates a my.G2 export or another tool writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "review_id": ("review_id", "Review ID", "ID", "Survey Response ID"),
    "email": ("email", "Reviewer Email", "User Email", "Email"),
    "person_id": ("person_id", "User ID", "Reviewer ID"),
    "rating": ("rating", "Star Rating", "Stars", "Rating"),
    "title": ("title", "Title", "Review Title"),
    "url": ("url", "Review URL", "URL", "Link"),
    "published_at": ("published_at", "Published At", "Published Date", "Submitted At", "Date"),
    "status": ("status", "Status", "Review Status", "Moderation Status"),
}
MAPPING_KEYS = ("site", "columns")


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Malformed(f"mapping file {path.name}: cannot read it ({exc})") from exc
    return check_mapping(loaded)


def check_mapping(loaded: Any) -> dict[str, Any]:
    if not isinstance(loaded, dict):
        raise Malformed("mapping: expected keys " + ", ".join(MAPPING_KEYS))
    for key in loaded:
        if key not in MAPPING_KEYS:
            raise Malformed(
                f"mapping: unknown key {key!r}: expected one of {', '.join(MAPPING_KEYS)}"
            )
    columns = loaded.get("columns", {})
    if not isinstance(columns, dict):
        raise Malformed("mapping: columns must map our field names to column names")
    for name, given in columns.items():
        if name not in COLUMNS:
            raise Malformed(
                f"mapping: columns.{name} is not a review field: expected one of "
                + ", ".join(COLUMNS)
            )
        if not isinstance(given, str):
            raise Malformed(f"mapping: columns.{name} must be a column name, found {given!r}")
    return loaded


def from_csv(text: str, *, site: str, mapping: Mapping[str, Any] | None = None) -> list[Review]:
    """Reviews from CSV text; Malformed naming the line and the field."""
    mapping = check_mapping(mapping or {})
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise Malformed("the file is empty")
    header = [normalise_header(h) for h in rows[0]]
    aliases = {k: list(v) for k, v in COLUMNS.items()}
    for name, given in mapping.get("columns", {}).items():
        aliases[name] = [given]
    index: dict[str, int] = {}
    for name, candidates in aliases.items():
        found = next(
            (header.index(n) for n in map(normalise_header, candidates) if n in header), None
        )
        if found is not None:
            index[name] = found
        elif name in mapping.get("columns", {}):
            raise Malformed(f"mapping names a column the file does not have: {aliases[name][0]}")
    if "review_id" not in index or not ({"email", "person_id"} & set(index)):
        raise Malformed(
            "a reviews file needs a review id column (review_id) and the reviewer's email or "
            f"id (email, person_id); found columns: {', '.join(rows[0])}"
        )
    reviews = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        if not cell("review_id"):
            raise Malformed(f"line {line}: the review id is empty")
        moment = cell("published_at")
        at = None
        if moment:
            try:
                at = from_iso(moment if "T" in moment else moment + "T00:00:00")
            except Malformed:
                raise Malformed(f"line {line}: published_at is not a date: {moment!r}") from None
        status = cell("status").lower()
        reviews.append(
            Review(
                site=site,
                review_id=cell("review_id"),
                published=not status or status in PUBLISHED,
                published_at=at,
                email=email_of(cell("email")),
                person_id=cell("person_id"),
                rating=_rating(cell("rating"), f"line {line}: rating"),
                title=cell("title")[:500],
                url=cell("url")[:500],
            )
        )
    return reviews


def read_file(
    path: Path, *, site: str = SITE, mapping: Mapping[str, Any] | None = None
) -> list[Review]:
    """A G2 API document (`.json`) or a CSV file (any other name) of reviews."""
    raw = path.read_bytes()
    if path.suffix.lower() == ".json" or raw.lstrip()[:1] == b"{":
        try:
            return from_document(json.loads(raw))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Malformed(f"{path.name}: not JSON ({exc})") from None
    return from_csv(raw.decode(detect_encoding(path)), site=site, mapping=mapping)
