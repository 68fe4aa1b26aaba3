"""Template filters for metric values: `{{ value|metric_value:unit }}`, `{{ rate|percent }}`."""

from __future__ import annotations

from django import template

from advocacy.metrics.report import format_value

register = template.Library()


@register.filter
def metric_value(value: float | None, unit: str) -> str:
    return format_value(value, unit)


@register.filter
def percent(value: float | None) -> str:
    return format_value(value, "percent")


@register.filter
def points(value: float | None) -> str:
    return format_value(value, "points")
