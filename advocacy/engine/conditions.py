"""The one compiler: a condition tree becomes a database filter, and the why behind it.

A condition is plain data (from YAML or JSON), never code:
    {"all": [c, ...]}  {"any": [c, ...]}  {"not": c}
    {"field": "nps", "op": "gte", "value": 9}
Fields come from a whitelisted vocabulary (`FIELDS`); each names a column of the profile that the
queryset carries (annotations from `advocacy.engine.profile`). The same compiled `Q` serves the set
query over thousands of contacts, the single-contact check and the explanation shown in the UI,
so the three can never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When


class Kind(Enum):
    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"
    TIME = "time"  # a moment; compared with within_days / older_than_days / exists / missing


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str
    choices: tuple[str, ...] = ()


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("nps", Kind.NUMBER, "latest NPS"),
        Field("nps_at", Kind.TIME, "latest NPS answer"),
        Field("csat", Kind.NUMBER, "latest CSAT"),
        Field("health", Kind.NUMBER, "health score"),
        Field("customer_since", Kind.TIME, "customer since"),
        Field("last_activity_at", Kind.TIME, "last product activity"),
        Field("last_milestone_at", Kind.TIME, "last usage milestone"),
        Field("open_tickets", Kind.NUMBER, "open support tickets"),
        Field("last_ticket_at", Kind.TIME, "last support ticket"),
        Field("last_renewal_at", Kind.TIME, "last renewal"),
        Field("last_expansion_at", Kind.TIME, "last expansion"),
        Field("last_result_at", Kind.TIME, "last result shared"),
        Field("last_nomination_at", Kind.TIME, "last CSM nomination"),
        Field("activities_12m", Kind.NUMBER, "advocacy activities in 12 months"),
        Field("reciprocity", Kind.NUMBER, "given minus asked in 12 months"),
        Field(
            "stage",
            Kind.TEXT,
            "lifecycle stage",
            ("activation", "engagement", "expansion", "mature"),
        ),
        Field(
            "rung",
            Kind.TEXT,
            "advocacy ladder rung",
            ("none", "satisfied", "engaged", "advocate", "champion", "ambassador"),
        ),
        Field(
            "persona",
            Kind.TEXT,
            "persona",
            ("executive", "decision_maker", "champion", "admin", "power_user", "end_user"),
        ),
        Field("industry", Kind.TEXT, "industry"),
        Field("region", Kind.TEXT, "region", ("na", "latam", "emea", "apac")),
        Field(
            "size_band", Kind.TEXT, "size band", ("smb", "mid_market", "enterprise", "strategic")
        ),
        Field("employees", Kind.NUMBER, "employees"),
        Field("arr", Kind.NUMBER, "ARR"),
        Field("nda", Kind.BOOL, "NDA / no logo use"),
        Field("sensitive_industry", Kind.BOOL, "sensitive industry"),
        Field("competitor_adjacent", Kind.BOOL, "competitor-adjacent"),
        Field("churn_risk", Kind.BOOL, "churn risk"),
        Field("has_csm", Kind.BOOL, "a CSM owns the relationship"),
        Field("opted_out", Kind.BOOL, "opted out"),
        Field("left_company", Kind.BOOL, "left the company"),
    )
}

OPS_BY_KIND: dict[Kind, frozenset[str]] = {
    Kind.NUMBER: frozenset(
        {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists", "missing"}
    ),
    Kind.TEXT: frozenset({"eq", "ne", "in", "not_in", "exists", "missing"}),
    Kind.BOOL: frozenset({"is_true", "is_false"}),
    Kind.TIME: frozenset({"within_days", "older_than_days", "exists", "missing"}),
}
NO_VALUE_OPS = frozenset({"exists", "missing", "is_true", "is_false"})
OP_WORDS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "in",
    "not_in": "not in",
    "within_days": "within the last … days:",
    "older_than_days": "at least … days ago:",
}


class ConditionError(ValueError):
    """A condition that cannot be compiled; `path` says where in the tree (e.g. all[2].value)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Leaf:
    field: Field
    op: str
    value: Any
    path: str

    def describe(self) -> str:
        label = self.field.label
        if self.op == "is_true":
            return label
        if self.op == "is_false":
            return f"not {label}"
        if self.op == "exists":
            return f"has {label}"
        if self.op == "missing":
            return f"no {label}"
        if self.op == "within_days":
            return f"{label} within the last {self.value} days"
        if self.op == "older_than_days":
            return f"{label} at least {self.value} days ago"
        value = ", ".join(map(str, self.value)) if isinstance(self.value, list) else self.value
        return f"{label} {OP_WORDS[self.op]} {value}"


def validate(cond: Any, path: str = "") -> list[Leaf]:
    """Check a condition against the vocabulary and return its leaves, or raise ConditionError."""
    if not isinstance(cond, Mapping):
        raise ConditionError(path, f"expected a mapping, found {type(cond).__name__}")
    if not cond:
        return []
    if "all" in cond or "any" in cond:
        word = "all" if "all" in cond else "any"
        if set(cond) != {word}:
            raise ConditionError(path, f"'{word}' must stand alone, found {sorted(cond)}")
        items = cond[word]
        if not isinstance(items, Sequence) or isinstance(items, str | bytes):
            raise ConditionError(f"{path}.{word}".lstrip("."), "expected a list of conditions")
        leaves: list[Leaf] = []
        for i, item in enumerate(items):
            leaves.extend(validate(item, f"{path}.{word}[{i}]".lstrip(".")))
        return leaves
    if "not" in cond:
        if set(cond) != {"not"}:
            raise ConditionError(path, f"'not' must stand alone, found {sorted(cond)}")
        return validate(cond["not"], f"{path}.not".lstrip("."))
    return [_leaf(cond, path)]


def _leaf(cond: Mapping[str, Any], path: str) -> Leaf:
    unknown = set(cond) - {"field", "op", "value"}
    if unknown:
        raise ConditionError(path, f"unknown keys {sorted(unknown)}; expected field, op, value")
    name = cond.get("field")
    if name not in FIELDS:
        raise ConditionError(
            f"{path}.field".lstrip("."), f"unknown field {name!r}; known: {', '.join(FIELDS)}"
        )
    field = FIELDS[name]
    op = cond.get("op")
    if op not in OPS_BY_KIND[field.kind]:
        allowed = ", ".join(sorted(OPS_BY_KIND[field.kind]))
        raise ConditionError(f"{path}.op".lstrip("."), f"{op!r} is not one of {allowed}")
    value = cond.get("value")
    vpath = f"{path}.value".lstrip(".")
    if op in NO_VALUE_OPS:
        if value is not None:
            raise ConditionError(vpath, f"'{op}' takes no value")
    elif op in {"in", "not_in"}:
        if not isinstance(value, list) or not value:
            raise ConditionError(vpath, "expected a non-empty list")
        for v in value:
            _check_scalar(field, v, vpath)
    elif op in {"within_days", "older_than_days"}:
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConditionError(vpath, f"expected a number of days ≥ 0, found {value!r}")
    else:
        _check_scalar(field, value, vpath)
    return Leaf(field, op, value, path)


def _check_scalar(field: Field, value: Any, path: str) -> None:
    if field.kind is Kind.NUMBER and (
        not isinstance(value, int | float) or isinstance(value, bool)
    ):
        raise ConditionError(path, f"expected a number, found {value!r}")
    if field.kind is Kind.TEXT:
        if not isinstance(value, str):
            raise ConditionError(path, f"expected text, found {value!r}")
        if field.choices and value not in field.choices:
            raise ConditionError(path, f"{value!r} is not one of {', '.join(field.choices)}")


def leaf_q(leaf: Leaf, now: datetime) -> Q:
    name, op, value = leaf.field.name, leaf.op, leaf.value
    if op == "eq":
        return Q(**{name: value})
    if op == "ne":
        return ~Q(**{name: value}) | Q(**{f"{name}__isnull": True})
    if op in {"gt", "gte", "lt", "lte", "in"}:
        return Q(**{f"{name}__{op}": value})
    if op == "not_in":
        return ~Q(**{f"{name}__in": value}) | Q(**{f"{name}__isnull": True})
    if op == "exists":
        return Q(**{f"{name}__isnull": False})
    if op == "missing":
        return Q(**{f"{name}__isnull": True})
    if op == "is_true":
        return Q(**{name: True})
    if op == "is_false":
        return Q(**{name: False})
    cutoff = now - timedelta(days=value)
    if leaf.field.name == "customer_since":
        cutoff_value: Any = cutoff.date()
    else:
        cutoff_value = cutoff
    if op == "within_days":
        return Q(**{f"{name}__gte": cutoff_value})
    return Q(**{f"{name}__lte": cutoff_value})  # older_than_days: at least that long ago


def compile_condition(cond: Mapping[str, Any], now: datetime) -> Q:
    """Turn a validated condition into a Q over a profile-annotated Contact queryset."""
    validate(cond)
    return _compile(cond, now, "")


def _compile(cond: Mapping[str, Any], now: datetime, path: str) -> Q:
    if not cond:
        return Q()
    if "all" in cond:
        q = Q()
        for i, item in enumerate(cond["all"]):
            q &= _compile(item, now, f"{path}.all[{i}]".lstrip("."))
        return q
    if "any" in cond:
        if not cond["any"]:
            return Q(pk__in=[])
        q = Q()
        parts = [
            _compile(item, now, f"{path}.any[{i}]".lstrip("."))
            for i, item in enumerate(cond["any"])
        ]
        q = parts[0]
        for part in parts[1:]:
            q |= part
        return q
    if "not" in cond:
        return ~_compile(cond["not"], now, f"{path}.not".lstrip("."))
    return leaf_q(_leaf(cond, path), now)


@dataclass(frozen=True)
class Check:
    """One leaf evaluated for one contact: what was asked, what was found, whether it held."""

    path: str
    description: str
    passed: bool
    found: Any


def explain_many(
    conds: Mapping[str, Mapping[str, Any]], queryset: QuerySet[Any], now: datetime
) -> dict[str, list[Check]]:
    """Evaluate every leaf of several named conditions on the one row of `queryset`, in one
    query; returns the checks per name (an empty condition has no checks and always holds)."""
    leaves = {name: validate(cond) for name, cond in conds.items()}
    flat = [(name, i, leaf) for name, ls in leaves.items() for i, leaf in enumerate(ls)]
    if not flat:
        return {name: [] for name in conds}
    flags = {
        f"_leaf{n}": Case(
            When(leaf_q(leaf, now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for n, (_, _, leaf) in enumerate(flat)
    }
    fields = sorted({leaf.field.name for _, _, leaf in flat})
    row = queryset.annotate(**flags).values(*flags, *fields).first()
    result: dict[str, list[Check]] = {name: [] for name in conds}
    if row is None:
        return result
    for n, (name, _, leaf) in enumerate(flat):
        result[name].append(
            Check(leaf.path, leaf.describe(), bool(row[f"_leaf{n}"]), row[leaf.field.name])
        )
    return result


def holds(cond: Mapping[str, Any], checks: Sequence[Check]) -> bool:
    """Whether `cond` holds given its leaves' results (same tree walk as the compiler)."""
    results = iter(checks)

    def walk(c: Mapping[str, Any]) -> bool:
        if not c:
            return True
        if "all" in c:
            return all([walk(item) for item in c["all"]])
        if "any" in c:
            return any([walk(item) for item in c["any"]])
        if "not" in c:
            return not walk(c["not"])
        return next(results).passed

    return walk(cond)


def explain(cond: Mapping[str, Any], queryset: QuerySet[Any], now: datetime) -> list[Check]:
    """Evaluate every leaf of `cond` on the single row of `queryset`, in one query.

    `queryset` must be narrowed to one contact and carry the profile annotations.
    """
    leaves = validate(cond)
    if not leaves:
        return []
    flags = {
        f"_leaf{i}": Case(
            When(leaf_q(leaf, now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for i, leaf in enumerate(leaves)
    }
    fields = sorted({leaf.field.name for leaf in leaves})
    row = queryset.annotate(**flags).values(*flags, *fields).first()
    if row is None:
        return []
    return [
        Check(leaf.path, leaf.describe(), bool(row[f"_leaf{i}"]), row[leaf.field.name])
        for i, leaf in enumerate(leaves)
    ]
