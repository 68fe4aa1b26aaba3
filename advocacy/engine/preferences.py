"""What an advocate says about being asked: which kinds, how often, how to reach them, on what.

The advocate's own choices only ever tighten the program's tap caps (advocacy.engine.caps):

- a kind of ask they do not do is `AskTypePreference.willing = false` (refused: `not_willing`);
- "at most once a quarter" is a `ContactPreference` of 90 days for every effort class: an ask
  of any effort waits that long after the last one (a window longer than the policy's only);
- where the policy lets the advocate choose how many of a kind they take (`default_max_asks`
  below `max_asks`: reference calls, one to three a month), their number is
  `AskTypePreference.max_asks`, never past the policy's maximum.

The channels and topics are kept beside them (`advocacy.pipeline.preferences`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from advocacy.customers.models import Contact
from advocacy.engine.models import AskTypePreference, ContactPreference
from advocacy.engine.policy import EFFORTS, Policy
from advocacy.pipeline.models import AskType
from advocacy.pipeline.preferences import AdvocatePreferences, ReachChannel, Topic

# "How often may we ask you?": days between two asks of any effort (0: as the program allows).
FREQUENCIES: tuple[tuple[int, str], ...] = (
    (0, "As often as the program allows"),
    (30, "At most once a month"),
    (90, "At most once a quarter"),
    (182, "At most twice a year"),
    (365, "At most once a year"),
)
FREQUENCY_DAYS = frozenset(days for days, _ in FREQUENCIES)


class PreferenceError(ValueError):
    """A preference that cannot be recorded; `field` names the culprit."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Choice:
    """An ask type whose number per window the advocate chooses, within the policy's bounds."""

    code: str
    name: str
    maximum: int
    per_days: int | None
    default: int

    @property
    def per(self) -> str:
        if self.per_days is None:
            return "in all"
        if self.per_days == 30:
            return "a month"
        return f"every {self.per_days} days"


@dataclass
class Preferences:
    unwilling: set[str] = field(default_factory=set)  # ask type codes they do not do
    every_days: int = 0  # 0: as often as the program allows
    counts: dict[str, int] = field(default_factory=dict)  # ask type code → their number
    channels: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # code → name, of those read back

    def frequency_label(self) -> str:
        return dict(FREQUENCIES).get(self.every_days, f"At most once every {self.every_days} days")

    def unwilling_names(self) -> list[str]:
        return sorted(self.names.get(code, code) for code in self.unwilling)

    def channel_labels(self) -> list[str]:
        return [label for value, label in ReachChannel.choices if value in self.channels]

    def topic_labels(self) -> list[str]:
        return [label for value, label in Topic.choices if value in self.topics]


def choices(policy: Policy) -> list[Choice]:
    """The ask types whose number the advocate chooses (active ones, in catalogue order)."""
    found = []
    for ask_type in AskType.objects.filter(active=True).order_by("code"):
        rules = policy.for_type(ask_type.code)
        if rules.max_asks and rules.default_max_asks and rules.default_max_asks < rules.max_asks:
            found.append(
                Choice(
                    ask_type.code,
                    ask_type.name,
                    rules.max_asks,
                    rules.per_days,
                    rules.default_max_asks,
                )
            )
    return found


def preferences_of(contact: Contact) -> Preferences:
    """What the advocate has said so far (three queries)."""
    prefs = Preferences()
    for code, name, willing, max_asks in AskTypePreference.objects.filter(
        contact=contact
    ).values_list("ask_type__code", "ask_type__name", "willing", "max_asks"):
        prefs.names[code] = name
        if not willing:
            prefs.unwilling.add(code)
        if max_asks is not None:
            prefs.counts[code] = max_asks
    days = (
        ContactPreference.objects.filter(contact=contact, effort=EFFORTS[0])
        .values_list("min_days_between", flat=True)
        .first()
    )
    prefs.every_days = days or 0
    reach = AdvocatePreferences.objects.filter(contact=contact).first()
    if reach is not None:
        prefs.channels, prefs.topics = list(reach.channels), list(reach.topics)
    return prefs


def _checked(
    wanted: Preferences, policy: Policy, types: dict[str, AskType]
) -> dict[str, int | None]:
    unknown = sorted(wanted.unwilling - set(types))
    if unknown:
        raise PreferenceError(f"unknown kinds of ask: {', '.join(unknown)}", "unwilling")
    if wanted.every_days not in FREQUENCY_DAYS:
        raise PreferenceError(
            f"how often must be one of {', '.join(map(str, sorted(FREQUENCY_DAYS)))} days",
            "every_days",
        )
    bad = sorted(set(wanted.channels) - set(ReachChannel.values))
    if bad:
        raise PreferenceError(f"unknown channels: {', '.join(bad)}", "channels")
    bad = sorted(set(wanted.topics) - set(Topic.values))
    if bad:
        raise PreferenceError(f"unknown topics: {', '.join(bad)}", "topics")
    counts: dict[str, int | None] = {}
    bounds = {c.code: c for c in choices(policy)}
    for code, n in wanted.counts.items():
        choice = bounds.get(code)
        if choice is None:
            raise PreferenceError(f"the number of {code} asks is not the advocate's to choose")
        if not 1 <= n <= choice.maximum:
            raise PreferenceError(
                f"{choice.name}: between 1 and {choice.maximum} {choice.per}", f"count_{code}"
            )
        counts[code] = n
    return counts


@transaction.atomic
def set_preferences(
    contact: Contact, wanted: Preferences, *, policy: Policy, now: datetime
) -> Preferences:
    """Record the advocate's preferences in full (what they leave out is cleared); a handful
    of statements whatever the catalogue holds."""
    types = {t.code: t for t in AskType.objects.filter(active=True)}
    counts = _checked(wanted, policy, types)
    kept = dict(
        AskTypePreference.objects.filter(contact=contact)
        .exclude(ask_type__code__in=[c.code for c in choices(policy)])
        .values_list("ask_type__code", "max_asks")
    )
    AskTypePreference.objects.bulk_create(
        [
            AskTypePreference(
                contact=contact,
                ask_type=ask_type,
                willing=code not in wanted.unwilling,
                max_asks=counts.get(code, kept.get(code)),
                updated_at=now,
            )
            for code, ask_type in types.items()
        ],
        update_conflicts=True,
        unique_fields=["contact", "ask_type"],
        update_fields=["willing", "max_asks", "updated_at"],
    )
    if wanted.every_days:
        ContactPreference.objects.bulk_create(
            [
                ContactPreference(
                    contact=contact, effort=effort, min_days_between=wanted.every_days
                )
                for effort in EFFORTS
            ],
            update_conflicts=True,
            unique_fields=["contact", "effort"],
            update_fields=["min_days_between", "updated_at"],
        )
    else:
        ContactPreference.objects.filter(contact=contact).delete()
    AdvocatePreferences.objects.update_or_create(
        contact=contact,
        defaults={
            "channels": [c for c in ReachChannel.values if c in wanted.channels],
            "topics": [t for t in Topic.values if t in wanted.topics],
            "updated_at": now,
        },
    )
    return preferences_of(contact)
