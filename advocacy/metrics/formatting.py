"""How a metric's value reads in a table, a page or a report."""

from __future__ import annotations


def _whole(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def format_value(value: float | None, unit: str) -> str:
    """How a number reads in a table: 12, 37.5%, 4.6, 21 days, +12.0 pts, $40,000."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "points":
        return f"{value:+.1f} pts"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "amount":
        return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit in {"score", "per month", "ratio"} else f"{value:.2f}"


def format_basis(numerator: float | None, denominator: float | None, unit: str) -> str:
    """What a value is made of, in words ("20 of 51", "6 in 3.0 months", "501 answers"), or ""
    where its parts say nothing more than the value (a lift, a mean of days)."""
    if unit in {"percent", "count"} and numerator is not None and denominator is not None:
        return f"{_whole(numerator)} of {_whole(denominator)}"
    if unit == "ratio" and numerator is not None and denominator is not None:
        return f"{_whole(numerator)} to {_whole(denominator)}"
    if unit == "per month" and numerator is not None and denominator:
        return f"{_whole(numerator)} in {denominator:.1f} months"
    if unit == "score" and denominator:
        return f"{_whole(denominator)} answer{'' if denominator == 1 else 's'}"
    if unit == "rating" and denominator:
        return f"{_whole(denominator)} rated"
    if unit == "amount" and numerator:
        return f"{_whole(numerator)} deal{'' if numerator == 1 else 's'}"
    return ""
