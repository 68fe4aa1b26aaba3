"""Forms of the engine pages: the advocates filter, the decisions filter and the simulation.

Filters never refuse a page (an invalid value is reported beside its field and left out); the
simulation form refuses a period it cannot run, with the reason beside the date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from advocacy.core.clock import parse_moment
from advocacy.customers.models import Persona
from advocacy.engine.conditions import FIELDS
from advocacy.engine.models import ContactProfile, Outcome
from advocacy.web.forms import ANY, SearchForm

SIMULATION_MAX_WEEKS = 52
SIMULATION_DEFAULT_WEEKS = 12


def word_choices(field: str) -> list[tuple[str, str]]:
    """Stages and rungs, in ladder order, as the engine's vocabulary names them."""
    return [(code, code.replace("_", " ").capitalize()) for code in FIELDS[field].choices]


STAGE_CHOICES = word_choices("stage")
RUNG_CHOICES = word_choices("rung")


class AdvocateFilterForm(SearchForm):
    persona = forms.ChoiceField(label="Persona", required=False, choices=ANY + Persona.choices)
    stage = forms.ChoiceField(label="Stage", required=False, choices=ANY + STAGE_CHOICES)
    rung = forms.ChoiceField(label="Rung", required=False, choices=ANY + RUNG_CHOICES)
    ready = forms.ChoiceField(label="Ready for", required=False)

    field_order = ["q", "ready", "stage", "rung", "persona", "industry", "region", "size_band"]

    def __init__(self, *args: Any, ask_types: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ready"].choices = ANY + list(ask_types.items())  # type: ignore[attr-defined]

    def filter(self, profiles: QuerySet[ContactProfile]) -> QuerySet[ContactProfile]:
        """Narrow `profiles` to what the form asks for."""
        text = (self.value("q") or "").strip()
        if text:
            profiles = profiles.filter(
                Q(contact__email__icontains=text)
                | Q(contact__first_name__icontains=text)
                | Q(contact__last_name__icontains=text)
                | Q(contact__account__name__icontains=text)
            )
        if self.value("persona"):
            profiles = profiles.filter(contact__persona=self.value("persona"))
        for field in ("industry", "region", "size_band"):
            if self.value(field):
                profiles = profiles.filter(**{f"contact__account__{field}": self.value(field)})
        for field in ("stage", "rung"):
            if self.value(field):
                profiles = profiles.filter(**{field: self.value(field)})
        code = self.value("ready")
        if code:
            # `ready` is "code,code,": match a whole code, never the tail of a longer one.
            profiles = profiles.filter(
                Q(ready__startswith=f"{code},") | Q(ready__contains=f",{code},")
            )
        return profiles


class DecisionFilterForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=ANY + Outcome.choices)

    def outcome_value(self) -> str:
        return self.cleaned_data.get("outcome", "") if self.is_valid() else ""


class DateInput(forms.DateInput):
    input_type = "date"


class SimulationForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput)
    end = forms.DateField(label="To", widget=DateInput)

    @staticmethod
    def defaults(today: date) -> dict[str, date]:
        """The last twelve weeks up to today."""
        return {"start": today - timedelta(weeks=SIMULATION_DEFAULT_WEEKS), "end": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", f"The end ({end}) must come after the start ({start}).")
            elif (end - start).days > SIMULATION_MAX_WEEKS * 7:
                weeks = -(-(end - start).days // 7)
                self.add_error(
                    "end",
                    f"At most {SIMULATION_MAX_WEEKS} weeks can be simulated at once; "
                    f"this period spans {weeks}.",
                )
        return data

    def period(self) -> tuple[datetime, datetime]:
        """From the start of the first day to the end of the last (the CLI's reading)."""
        start: date = self.cleaned_data["start"]
        end: date = self.cleaned_data["end"]
        # The last day counts whole (a bare date would be read as its midnight).
        return parse_moment(start.isoformat()), parse_moment(f"{end.isoformat()}T23:59:59")
