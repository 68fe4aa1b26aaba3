"""How a metric's value reads in a table, a page or a report."""

from __future__ import annotations


def format_value(value: float | None, unit: str) -> str:
    """How a number reads in a table: 12, 37.5%, 4.6, 21 days, +12.0 pts."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "points":
        return f"{value:+.1f} pts"
    if unit == "days":
        return f"{value:.1f} days"
    if unit in {"count", "amount"}:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit in {"score", "per month", "ratio"} else f"{value:.2f}"
