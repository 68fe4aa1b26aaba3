"""Forms of the content library: filters, a new asset, consent, and a use."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q

from advocacy.content.models import (
    AssetKind,
    AssetQuerySet,
    AssetStatus,
    Channel,
    ConsentScope,
    Repermission,
)
from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask
from advocacy.web.forms import ANY


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=ANY + AssetKind.choices)
    status = forms.ChoiceField(label="Status", required=False, choices=ANY + AssetStatus.choices)
    scope = forms.ChoiceField(
        label="Consent covers", required=False, choices=ANY + ConsentScope.choices
    )
    repermission = forms.BooleanField(label="Needs re-permission", required=False)

    def filter(self, assets: AssetQuerySet) -> AssetQuerySet:
        """Narrow `assets` to what the form asks for; invalid values are left out."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            text = data["q"]
            assets = assets.filter(
                Q(title__icontains=text)
                | Q(contact__email__icontains=text)
                | Q(account__name__icontains=text)
            )
        if data.get("kind"):
            assets = assets.filter(kind=data["kind"])
        if data.get("status"):
            assets = assets.filter(status=data["status"])
        if data.get("scope"):
            assets = assets.consented(data["scope"])
        if data.get("repermission"):
            assets = assets.filter(Exists(Repermission.objects.open().filter(asset=OuterRef("pk"))))
        return assets

    @property
    def active_count(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return sum(1 for value in data.values() if value)


class AssetForm(forms.Form):
    """A new asset, a draft; the case study fields follow the seed template."""

    kind = forms.ChoiceField(choices=AssetKind.choices)
    title = forms.CharField(max_length=200)
    contact = forms.CharField(
        label="Advocate's email", max_length=254, help_text="The contact who gave it."
    )
    ask = forms.IntegerField(
        label="From ask", required=False, min_value=1, help_text="The ask that produced it."
    )
    body = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The quote or testimonial, or the story of a review or webinar.",
    )
    url = forms.URLField(label="URL", required=False, max_length=500, assume_scheme="https")
    headline = forms.CharField(
        required=False, max_length=200, help_text="Case study: the compelling result."
    )
    challenge = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    results = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One quantified result per line.",
    )
    quote = forms.CharField(
        label="Key quote", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    look_ahead = forms.CharField(
        label="Looking ahead", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    overview = forms.CharField(
        label="About the customer", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_contact(self) -> Contact:
        email = self.cleaned_data["contact"].strip().lower()
        contact = Contact.objects.filter(email=email).first()
        if contact is None:
            raise forms.ValidationError(f"No contact has the email {email}.")
        return contact

    def clean_ask(self) -> Ask | None:
        pk = self.cleaned_data.get("ask")
        if not pk:
            return None
        ask = Ask.objects.filter(pk=pk).first()
        if ask is None:
            raise forms.ValidationError(f"No ask has the id {pk}.")
        return ask

    def clean_results(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["results"].splitlines() if line.strip()]

    def fields_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("kind", "title", "contact", "ask"):
            data.pop(key)
        return data


class ConsentForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label="The advocate grants",
        required=False,
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label="Until (last day)", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=2000, help_text="How it was given.")

    def clean_until(self) -> date:
        until: date = self.cleaned_data["until"]
        if until.year >= 2100:
            raise forms.ValidationError("Choose a day before 2100.")
        return until


class UseForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    where = forms.CharField(required=False, max_length=500, help_text="Page, deck, outlet, URL.")
    shows = forms.MultipleChoiceField(
        label="It also shows",
        required=False,
        choices=[c for c in ConsentScope.choices if c[0] in ("name", "logo", "title")],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(required=False, max_length=2000)
    opportunity_ref = forms.CharField(
        label="CRM deal id",
        required=False,
        max_length=100,
        help_text="The deal it was used in, if any: the use then counts toward its influence.",
    )


class AssetEditForm(AssetForm):
    """The text of a draft: what the asset is and whose it is do not change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "contact", "ask"):
            del self.fields[name]

    def fields_for_service(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
