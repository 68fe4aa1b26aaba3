"""How values and what they are made of read: money with its sign, whole numbers, no floats."""

from __future__ import annotations

import pytest

from advocacy.metrics.formatting import format_basis, format_value


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (40000.0, "amount", "$40,000"),
        (-1250.0, "amount", "-$1,250"),
        (0.0, "amount", "$0"),
        (38.888, "percent", "38.9%"),
        (12766.0, "count", "12,766"),
        (12.766, "points", "+12.8 pts"),
        (None, "amount", "—"),
    ],
)
def test_format_value(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("numerator", "denominator", "unit", "shown"),
    [
        (20, 51, "percent", "20 of 51"),
        (0, 11, "count", "0 of 11"),
        (42, 3, "ratio", "42 to 3"),
        (6, 2.95688, "per month", "6 in 3.0 months"),
        (-52, 501, "score", "501 answers"),
        (5, 1, "score", "1 answer"),
        (None, 2, "rating", "2 rated"),
        (2, None, "amount", "2 deals"),
        (1, None, "amount", "1 deal"),
        (0, 0, "amount", ""),
        (12.766, 0.0, "points", ""),
        (None, 5, "days", ""),
        (None, None, "percent", ""),
    ],
)
def test_format_basis(
    numerator: float | None, denominator: float | None, unit: str, shown: str
) -> None:
    assert format_basis(numerator, denominator, unit) == shown
