"""Reviews verified: upload a G2 API document or a CSV of reviews (docs/connectors.md); each
published review closes its advocate's review ask as verified, and the page says what came of
each."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from advocacy.core.review_sites import site_label
from advocacy.integrations.connectors.registry import Malformed
from advocacy.integrations.connectors.reviews import ReviewError, import_reviews
from advocacy.integrations.connectors.vendors.g2 import load_mapping
from advocacy.web.htmx import render_page


class ReviewsForm(forms.Form):
    file = forms.FileField(
        label="Reviews file",
        help_text="A page of G2's API (.json), or a CSV with a review id and the reviewer.",
    )
    site = forms.ChoiceField(label="Review site", initial="g2")
    mapping_file = forms.FileField(
        label="Mapping file (optional)",
        required=False,
        help_text="YAML or JSON: which of the CSV's columns holds each of our review fields.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["site"].choices = [  # type: ignore[attr-defined]
            (s, site_label(s)) for s in sorted(settings.REVIEW_SITES)
        ]


def reviews_import(request: HttpRequest) -> HttpResponse:
    form = ReviewsForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".json" if Path(upload.name).suffix.lower() == ".json" else ".csv"
        with tempfile.TemporaryDirectory(prefix="advocacy-reviews-") as folder:
            path = Path(folder) / f"reviews{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                mapping = None
                if form.cleaned_data["mapping_file"]:
                    mapping_path = Path(folder) / "mapping.yaml"
                    mapping_path.write_bytes(form.cleaned_data["mapping_file"].read())
                    mapping = load_mapping(mapping_path)
                outcome = import_reviews(
                    path, site=form.cleaned_data["site"], mapping=mapping, actor=request.user,
                    now=timezone.now(),
                )  # fmt: skip
            except (ReviewError, Malformed) as exc:
                form.add_error(None, str(exc))
    context = {"section": "imports", "form": form, "outcome": outcome}
    status = 422 if request.method == "POST" and outcome is None else 200
    return render_page(request, "web/reviews/import.html", context, status=status)
