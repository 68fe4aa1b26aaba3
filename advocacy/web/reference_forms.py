"""Forms of the reference desk: the intake form, scheduling a call, a call's outcome."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.customers.models import Account, Region, SizeBand
from advocacy.references.models import (
    CallOutcome,
    OpportunityResult,
    ReferenceRequest,
    RequestFormat,
    RequestStatus,
)
from advocacy.references.services import RequestData

BLANK = [("", "Any")]


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


class RequestForm(forms.Form):
    opportunity = forms.CharField(max_length=200)
    opportunity_ref = forms.CharField(label="CRM opportunity id", max_length=100, required=False)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    prospect_company = forms.CharField(label="Prospect company", max_length=200)
    prospect_contacts = forms.CharField(
        label="Prospect emails", required=False, help_text="Invited to the call; comma-separated."
    )
    industry = forms.CharField(max_length=100, help_text="The prospect's industry.")
    region = forms.ChoiceField(choices=BLANK + list(Region.choices), required=False)
    size_band = forms.ChoiceField(
        label="Size band", choices=BLANK + list(SizeBand.choices), required=False
    )
    products = forms.CharField(required=False, help_text="Comma-separated.")
    use_case = forms.CharField(label="Use case", max_length=200, required=False)
    needed_by = forms.DateField(label="Needed by", widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(choices=RequestFormat.choices, initial=RequestFormat.CALL)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = Account.objects.exclude(industry="").order_by("industry")
        industries = list(known.values_list("industry", flat=True).distinct()[:200])
        self.fields["industry"].widget.attrs["list"] = "industries"
        self.industries = industries

    def clean_prospect_contacts(self) -> list[str]:
        emails = _lines(self.cleaned_data.get("prospect_contacts", ""))
        bad = [e for e in emails if "@" not in e]
        if bad:
            raise forms.ValidationError(f"Not email addresses: {', '.join(bad)}")
        return emails

    def data_for_service(self) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            opportunity=d["opportunity"], prospect_company=d["prospect_company"],
            industry=d["industry"], needed_by=d["needed_by"],
            opportunity_ref=d["opportunity_ref"], amount=d["amount"], size_band=d["size_band"],
            region=d["region"], products=_lines(d["products"]), use_case=d["use_case"],
            format=d["format"], prospect_contacts=d["prospect_contacts"], notes=d["notes"],
        )  # fmt: skip


class TimesForm(forms.Form):
    """Up to three times the advocate chooses from (the advocate chooses the time)."""

    first = forms.DateTimeField(
        label="A time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    second = forms.DateTimeField(
        label="Another time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    third = forms.DateTimeField(
        label="And another",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=240, initial=20)

    def times(self) -> list[Any]:
        return [t for name in ("first", "second", "third") if (t := self.cleaned_data.get(name))]


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="New time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label="Minutes", min_value=5, max_value=240, required=False
    )


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Starts at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=240, initial=20)
    also = forms.ModelMultipleChoiceField(
        label="Group call with",
        queryset=ReferenceRequest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Other open requests the same advocate can take in one call (2-4 in all).",
    )

    def __init__(self, *args: Any, request: ReferenceRequest | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        others = ReferenceRequest.objects.filter(status=RequestStatus.OPEN).order_by("needed_by")
        if request is not None:
            others = others.exclude(pk=request.pk)
        self.fields["also"].queryset = others  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[c for c in CallOutcome.choices if c[0] != CallOutcome.SCHEDULED]
    )
    rating = forms.TypedChoiceField(
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="How the prospect rated the call (1-5), for a call held.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResultForm(forms.Form):
    result = forms.ChoiceField(choices=OpportunityResult.choices)


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(choices=BLANK + list(RequestStatus.choices), required=False)
