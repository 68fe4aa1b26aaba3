"""Template filters for metric values: `{{ value|metric_value:unit }}`, `{{ rate|percent }}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from advocacy.core import labels
from advocacy.metrics.formatting import format_basis
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


@register.filter
def label(code: object, vocabulary: str | Mapping[str, str] = "") -> str:
    """`{{ row.persona|label:"persona" }}` reads "Power user"; `{{ lift.play|label:titles }}`
    reads the play's title from a mapping looked up once (`advocacy.core.labels`)."""
    if isinstance(vocabulary, Mapping):
        return labels.label(code, "", vocabulary)
    return labels.label(code, vocabulary)


@register.filter
def metric_basis(value: Any) -> str:
    """`{{ v|metric_basis }}`: what a metric's value is made of, "20 of 51" (or "")."""
    return format_basis(value.numerator, value.denominator, value.metric.unit)
