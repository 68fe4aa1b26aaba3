"""Give before ask: what the program gave a person against what it asked of them, 12 months.

    given(now) / asked(now) / balance(now)     expressions over contacts (correlated subqueries)
    balances(contact_ids, now) -> {id: Balance}

Given: the sum of the person's `value_given` signals (each +1, a reversed credit -1; the upper
layers write them: advocacy.value.gifts). Asked: the asks opened for them. Both over the last
365 days up to `now`, the window `activities_12m` counts over: a gift or an ask exactly 365 days
old still counts, one a second older does not. The balance is given minus asked; the policy's
`give_before_ask` holds an ask of high or very high effort until it is above zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, FloatField, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask
from advocacy.signals.models import Signal, SignalKind

WINDOW = timedelta(days=365)


def since(now: datetime) -> datetime:
    return now - WINDOW


def given(now: datetime) -> Coalesce:
    rows = (
        Signal.objects.filter(
            contact=OuterRef("pk"),
            kind=SignalKind.VALUE_GIVEN,
            occurred_at__gte=since(now),
            occurred_at__lte=now,
        )
        .order_by()
        .values("contact")
        .annotate(n=Sum("value"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=FloatField()), 0.0)


def asked(now: datetime) -> Coalesce:
    rows = (
        Ask.objects.filter(contact=OuterRef("pk"), opened_at__gte=since(now), opened_at__lte=now)
        .order_by()
        .values("contact")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def balance(now: datetime) -> Any:
    return given(now) - asked(now)


@dataclass(frozen=True)
class Balance:
    given: int
    asked: int

    @property
    def balance(self) -> int:
        return self.given - self.asked

    def as_dict(self) -> dict[str, int]:
        return {"given": self.given, "asked": self.asked, "balance": self.balance}


def balances(contact_ids: Iterable[int], now: datetime) -> dict[int, Balance]:
    """Each contact's balance as of `now`: one query."""
    rows = Contact.objects.filter(pk__in=list(contact_ids)).annotate(g=given(now), a=asked(now))
    return {pk: Balance(int(g), int(a)) for pk, g, a in rows.values_list("pk", "g", "a")}
