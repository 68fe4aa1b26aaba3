"""Sortable columns of the staff lists: `?sort=name` or `?sort=-name`, in the database.

Each list declares its columns once: a key for the address and the ORDER BY it stands for, on
indexed columns where the list can be long (contacts, asks), so that a page of 50 out of a
million rows is read from an index and never sorted in Python. Every order ends with the primary
key, so paging never shows a row twice or skips one when many tie. An unknown key is not an
error: the list's default order is used and the header shows it, as filters treat a stale
bookmark.

A small helper rather than django-tables2: the lists keep their own templates (named partials
for htmx, flags and scores in cells, the bulk-selection boxes), and only the header links and
the ORDER BY are shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, F, OrderBy, QuerySet
from django.http import HttpRequest, QueryDict

Term = str | OrderBy | Expression
Columns = Mapping[str, Sequence[Term]]  # a list's sortable columns: key → ORDER BY terms


def _flip(term: Term) -> Term:
    """The other direction; rows without a value stay where the column put them."""
    if isinstance(term, OrderBy):
        return OrderBy(
            term.expression,
            descending=not term.descending,
            nulls_first=term.nulls_first or None,
            nulls_last=term.nulls_last or None,
        )
    if isinstance(term, Expression):  # Lower("name"), ascending by itself
        return term.desc()
    return term[1:] if term.startswith("-") else f"-{term}"


@dataclass(frozen=True)
class Sorting:
    """The order a list is shown in: one of `columns`, ascending or descending."""

    columns: Columns
    key: str
    descending: bool
    query: QueryDict

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def terms(self) -> list[Term]:
        terms = list(self.columns[self.key])
        if self.descending:
            terms = [_flip(t) for t in terms]
        last = "-pk" if self.descending else "pk"
        return [*terms, last]

    def apply(self, items: QuerySet[Any]) -> QuerySet[Any]:
        return items.order_by(*self.terms())

    def link(self, key: str) -> dict[str, Any]:
        """What a column's header shows: the address that sorts by it (the other way round
        when it is the current order) and its aria-sort."""
        current = key == self.key
        descending = not self.descending if current else False
        query = self.query.copy()
        query["sort"] = f"-{key}" if descending else key
        query.pop("page", None)
        state = ("descending" if self.descending else "ascending") if current else "none"
        return {"href": "?" + query.urlencode(), "aria_sort": state, "current": current}


def sorting(request: HttpRequest, columns: Mapping[str, Sequence[Term]], default: str) -> Sorting:
    """The order `?sort=` names, or `default` (itself `key` or `-key`)."""
    wanted = request.GET.get("sort", "") or default
    key = wanted.removeprefix("-")
    if key not in columns:
        wanted, key = default, default.removeprefix("-")
    return Sorting(columns, key, wanted.startswith("-"), request.GET)


def nulls_last(field: str) -> OrderBy:
    """Ascending by `field`, rows without a value after the others, whichever the direction."""
    return OrderBy(F(field), nulls_last=True)
