"""Numbers in a JSON body: `true` is not 1, `"9"` is not 9, and a whole number has no decimals.

Every operation's body is walked, nested objects and batch items included, so a field added
later is held to the same rule without anyone remembering to.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from advocacy.api.main import api
from advocacy.api.tests.snapshot import current_schema


def _types(annotation: Any) -> Iterator[Any]:
    """The plain types an annotation is made of (inside unions, lists, Annotated)."""
    origin = get_origin(annotation)
    if origin is None:
        yield annotation
        return
    args = get_args(annotation)
    if origin is Annotated:
        yield from _types(args[0])
        return
    if origin in (Union, types.UnionType, list, tuple, set, frozenset, dict):
        for arg in args:
            yield from _types(arg)
        return
    yield annotation


class NumberField(NamedTuple):
    model: type[BaseModel]
    name: str
    kinds: frozenset[type]
    in_list: bool  # a list of numbers: each test sends its value as the one item

    def refused(self, value: Any) -> list[str]:
        """The messages of the field's own errors when it is sent `value`."""
        try:
            self.model.model_validate({self.name: [value] if self.in_list else value})
        except ValidationError as exc:
            return [e["msg"] for e in exc.errors() if e["loc"][:1] == (self.name,)]
        return []

    def __str__(self) -> str:
        return f"{self.model.__name__}.{self.name}"


def _numeric_fields(model: type[BaseModel], seen: set[type]) -> Iterator[NumberField]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        found = set(_types(info.annotation))
        for kind in found:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _numeric_fields(kind, seen)
        numeric = frozenset(k for k in found if k in (int, float, Decimal))
        if numeric:
            outer = {get_origin(a) for a in get_args(info.annotation)} | {
                get_origin(info.annotation)
            }
            yield NumberField(model, name, numeric, list in outer)


def body_number_fields() -> list[NumberField]:
    seen: set[type] = set()
    fields = []
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for params in operation.models:
                    if getattr(params, "__ninja_param_source__", None) != "body":
                        continue
                    fields += list(_numeric_fields(params, seen))
    return fields


FIELDS = body_number_fields()


def test_the_walk_finds_the_numbers_of_the_bodies():
    assert {
        "EscalateIn.hours",
        "SignalIn.value",
        "AccountIn.employees",
        "AccountIn.arr",
        "RoutingRuleIn.position",
        "CallIn.duration_minutes",
        "CallIn.also",
        "OutcomeIn.rating",
        "ScorecardIn.target",
        "AskIn.contact_id",
    } <= {str(f) for f in FIELDS}


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_a_boolean_is_never_read_as_a_number(field):
    for value, sent in ((True, "true"), (False, "false")):
        (message,) = field.refused(value)
        assert message.startswith("Value error, expected a") and message.endswith(f", found {sent}")


@pytest.mark.parametrize("field", [f for f in FIELDS if Decimal not in f.kinds], ids=str)
def test_a_number_in_quotes_is_not_a_number(field):
    """Amounts (Decimal) excepted: "120000.50" is how an exact amount travels in JSON."""
    assert field.refused("1")


@pytest.mark.parametrize("field", [f for f in FIELDS if f.kinds == {int}], ids=str)
def test_a_whole_number_has_no_decimal_point(field):
    assert field.refused(1.0) == ["Value error, expected a whole number, found 1.0"]


@pytest.mark.django_db
def test_hours_true_names_the_field_what_was_expected_and_what_was_found(api):
    response = api.post("/api/asks/escalate", {"hours": True})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "hours"],
            "msg": "Value error, expected a whole number, found true",
            "type": "value_error",
            "item": None,
            "field": "hours",
        }
    ]


def test_the_bounds_of_numbers_stay_in_the_openapi_schema():
    """A bound written after the marker is still enforced, but pydantic then documents it as
    `ge`/`le`, which no OpenAPI client knows: the markers go after the bounds."""

    def keys(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                if key != "properties":
                    yield from keys(value)
                else:
                    for prop in value.values():
                        yield from keys(prop)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    assert {"ge", "le", "gt", "lt", "max_digits", "decimal_places"} & set(
        keys(current_schema())
    ) == set()
