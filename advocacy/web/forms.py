"""Forms of the staff UI: list filters and the import upload.

Filter forms never refuse a page: a value that does not validate is reported beside its field
and left out of the filter, so a stale bookmark still shows something useful.
"""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q

from advocacy.customers.models import (
    Account,
    AccountQuerySet,
    ContactQuerySet,
    Persona,
    Region,
    SizeBand,
)
from advocacy.signals.imports import PRESETS
from advocacy.signals.models import ImportKind

ANY = [("", "Any")]


def industry_choices() -> list[tuple[str, str]]:
    """Industries present in the data (one indexed DISTINCT query)."""
    names = (
        Account.objects.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
    return ANY + [(name, name) for name in names]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    industry = forms.ChoiceField(label="Industry", required=False)
    region = forms.ChoiceField(label="Region", required=False, choices=ANY + Region.choices)
    size_band = forms.ChoiceField(label="Size band", required=False, choices=ANY + SizeBand.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()  # type: ignore[attr-defined]

    def _cleaned(self) -> dict[str, Any]:
        self.is_valid()  # cached by Django after the first call
        return getattr(self, "cleaned_data", {})

    def value(self, name: str) -> Any:
        """The cleaned value of a field, or None when empty or invalid."""
        return self._cleaned().get(name) or None

    @property
    def active_count(self) -> int:
        """How many filters (search included) are in force."""
        return sum(1 for value in self._cleaned().values() if value)


ACCOUNT_FLAGS = [
    ("nda", "NDA / no logo use"),
    ("churn_risk", "Churn risk"),
    ("sensitive_industry", "Sensitive industry"),
    ("competitor_adjacent", "Competitor-adjacent"),
]


class AccountFilterForm(SearchForm):
    flags = forms.MultipleChoiceField(
        label="Flags",
        required=False,
        choices=ACCOUNT_FLAGS,
        widget=forms.CheckboxSelectMultiple,
    )

    def filter(self, accounts: AccountQuerySet) -> AccountQuerySet:
        """Narrow `accounts` to what the form asks for."""
        accounts = accounts.search(self.value("q") or "")
        for field in ("industry", "region", "size_band"):
            if self.value(field):
                accounts = accounts.filter(**{field: self.value(field)})
        for flag in self.value("flags") or ():
            accounts = accounts.filter(**{flag: True})
        return accounts


CONTACT_FLAGS = [
    ("reachable", "Reachable"),
    ("left_company", "Left the company"),
    ("opted_out", "Opted out"),
    ("nda", "Account under NDA"),
    ("churn_risk", "Account at churn risk"),
]
CONTACT_FLAG_FILTERS: dict[str, Q] = {
    "reachable": Q(left_company_at__isnull=True, opted_out_at__isnull=True),
    "left_company": Q(left_company_at__isnull=False),
    "opted_out": Q(opted_out_at__isnull=False),
    "nda": Q(account__nda=True),
    "churn_risk": Q(account__churn_risk=True),
}


class ContactFilterForm(SearchForm):
    persona = forms.ChoiceField(label="Persona", required=False, choices=ANY + Persona.choices)
    flags = forms.MultipleChoiceField(
        label="Flags",
        required=False,
        choices=CONTACT_FLAGS,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["q", "persona", "industry", "region", "size_band", "flags"]

    def filter(self, contacts: ContactQuerySet) -> ContactQuerySet:
        """Narrow `contacts` to what the form asks for."""
        contacts = contacts.search(self.value("q") or "")
        if self.value("persona"):
            contacts = contacts.filter(persona=self.value("persona"))
        for field in ("industry", "region", "size_band"):
            if self.value(field):
                contacts = contacts.filter(**{f"account__{field}": self.value(field)})
        for flag in self.value("flags") or ():
            contacts = contacts.filter(CONTACT_FLAG_FILTERS[flag])
        return contacts


def preset_choices() -> list[tuple[str, str]]:
    """Our own column names first, then every tool the pipeline has a preset for."""
    names = sorted(PRESETS, key=lambda name: (name != "advocacy", name))
    return [(name, PRESETS[name].label) for name in names]


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_MB) * 1024 * 1024


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportKind.choices)
    file = forms.FileField(label="CSV file", help_text="UTF-8, Latin-1 or UTF-16; any delimiter.")
    preset = forms.ChoiceField(
        label="Column names",
        choices=preset_choices,
        initial="advocacy",
        help_text="Which tool wrote the file; a mapping file covers any other.",
    )
    mapping_file = forms.FileField(
        label="Mapping file (optional)",
        required=False,
        help_text="YAML or JSON: which of your columns holds each of our fields.",
    )
    strict = forms.BooleanField(
        label="Strict: import nothing if any row is bad",
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {_size_text(upload.size)}; the largest accepted is "
                f"{settings.IMPORT_MAX_UPLOAD_MB} MB (ADVOCACY_IMPORT_MAX_UPLOAD_MB). "
                "Split it, or import it with the `advocacy import` command."
            )
        return upload

    def clean_mapping_file(self) -> dict[str, Any] | None:
        upload: UploadedFile | None = self.cleaned_data.get("mapping_file")
        if not upload:
            return None
        if upload.size is not None and upload.size > 1024 * 1024:
            raise forms.ValidationError(
                f"The mapping file is {_size_text(upload.size)}; expected at most 1 MB."
            )
        try:
            data = yaml.safe_load(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError("The mapping file is not UTF-8 text.") from None
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 1}" if where is not None else ""
            raise forms.ValidationError(
                f"The mapping file is not valid YAML or JSON{line}."
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(
                "The mapping file must hold a mapping (column: field), "
                f"found {type(data).__name__}."
            )
        return data
