"""Errors raised by the delivery layer itself, and the JSON shape of every error answer.

Every error answer is `{"detail": ...}`: a sentence, or for invalid input a list of
`{loc, msg, type, item, field}` where `item` is the index of the bad item in a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class BatchRejected(Exception):
    """Some items of a batch were refused by the database-side checks; nothing was written."""

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} item(s) rejected")


def item_error(index: int | None, field: str, message: str, kind: str) -> dict[str, Any]:
    """One error of one item (index None for a single-item call), in the validation shape."""
    loc: list[str | int] = ["body"]
    if index is not None:
        loc += ["items", index]
    loc += [part for part in field.split(".") if part]
    return {"loc": loc, "msg": message, "type": kind, "item": index, "field": field or None}


def describe_validation_errors(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn ninja's validation errors into ours: `loc` without the parameter name, plus the
    batch item index and field when the error is inside `items`."""
    described = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            loc = ["body", *loc[2:]]
        item: int | None = None
        field_parts = [str(part) for part in loc[1:]]
        if len(loc) >= 3 and loc[1] == "items" and isinstance(loc[2], int):
            item = loc[2]
            field_parts = [str(part) for part in loc[3:]]
        described.append(
            {
                "loc": loc,
                "msg": str(error.get("msg", "invalid value")),
                "type": str(error.get("type", "value_error")),
                "item": item,
                "field": ".".join(field_parts) or None,
            }
        )
    return described
