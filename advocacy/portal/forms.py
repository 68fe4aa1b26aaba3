"""The portal's forms: each field labelled in the advocate's words."""

from __future__ import annotations

from typing import Any

from django import forms

from advocacy.content.models import Asset, ConsentScope
from advocacy.engine.preferences import FREQUENCIES, Choice, Preferences
from advocacy.pipeline.models import AskType
from advocacy.pipeline.preferences import ReachChannel, Topic
from advocacy.portal.approvals import EDITABLE, SCOPE_WORDS


class PreferencesForm(forms.Form):
    every_days = forms.TypedChoiceField(
        label="How often may we ask you?",
        choices=FREQUENCIES,
        coerce=int,
        help_text="Reference calls are counted on their own, below.",
    )
    channels = forms.MultipleChoiceField(
        label="How would you like us to reach you?",
        choices=ReachChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = forms.MultipleChoiceField(
        label="What are you happy to talk about?",
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, ask_types: list[AskType], counts: list[Choice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ask_types, self.counts = ask_types, counts
        for t in ask_types:
            help_text = " · ".join(filter(None, [t.time_needed, t.description]))
            self.fields[f"willing_{t.code}"] = forms.BooleanField(
                label=t.name, required=False, help_text=help_text
            )
        for c in counts:
            self.fields[f"count_{c.code}"] = forms.TypedChoiceField(
                label=f"{c.name}: how many {c.per}, at most?",
                choices=[(n, str(n)) for n in range(1, c.maximum + 1)],
                coerce=int,
                initial=c.default,
            )

    def activity_fields(self) -> list[forms.BoundField]:
        return [self[f"willing_{t.code}"] for t in self.ask_types]

    def count_fields(self) -> list[forms.BoundField]:
        return [self[f"count_{c.code}"] for c in self.counts]

    @staticmethod
    def initial_for(prefs: Preferences, ask_types: list[AskType], counts: list[Choice]) -> dict:
        initial: dict[str, Any] = {
            "every_days": prefs.every_days,
            "channels": prefs.channels,
            "topics": prefs.topics,
        }
        for t in ask_types:
            initial[f"willing_{t.code}"] = t.code not in prefs.unwilling
        for c in counts:
            initial[f"count_{c.code}"] = prefs.counts.get(c.code, c.default)
        return initial

    def preferences(self) -> Preferences:
        data = self.cleaned_data
        return Preferences(
            unwilling={t.code for t in self.ask_types if not data.get(f"willing_{t.code}")},
            every_days=data["every_days"],
            counts={c.code: data[f"count_{c.code}"] for c in self.counts},
            channels=list(data.get("channels") or []),
            topics=list(data.get("topics") or []),
        )


class ApproveForm(forms.Form):
    """The consent the advocate grants; `offered` leaves out what is not theirs to grant."""

    scopes = forms.MultipleChoiceField(
        label="What may we do with it?",
        choices=[(s, SCOPE_WORDS[s]) for s in ConsentScope.values],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    until = forms.DateField(
        label="Until when?",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="After this day we ask you again before using it.",
    )

    def __init__(self, *args: Any, offered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(s, SCOPE_WORDS[s]) for s in offered]  # type: ignore[attr-defined]


class ChangesForm(forms.Form):
    note = forms.CharField(
        label="What would you like changed?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    LABELS = {
        "body": "The wording",
        "headline": "Headline",
        "challenge": "The challenge",
        "solution": "The solution",
        "results": "Results (one per line)",
        "quote": "Your quote",
        "look_ahead": "Looking ahead",
    }

    def __init__(self, *args: Any, asset: Asset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asset = asset
        self.parts = EDITABLE[asset.kind]
        for name in self.parts:
            value = getattr(asset, name)
            self.fields[name] = forms.CharField(
                label=self.LABELS[name],
                required=False,
                initial="\n".join(value) if name == "results" else value,
                widget=forms.Textarea(attrs={"rows": 4 if name != "headline" else 1}),
            )
        self.order_fields([*self.parts, "note"])

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        out: dict[str, object] = {}
        for name in self.parts:
            text = data.get(name, "")
            out[name] = (
                [line.strip() for line in text.splitlines() if line.strip()]
                if (name == "results")
                else text.strip()
            )
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Anything you would like us to know? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
