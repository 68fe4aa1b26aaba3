"""Template helpers of the staff UI: signal icons, score tones, sparklines, page links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from advocacy.core import labels
from advocacy.metrics.formatting import format_value
from advocacy.rewards.services import dollars
from advocacy.web import charts

register = template.Library()


@register.filter
def kind_glyph(kind: str) -> str:
    return charts.kind_style(kind).glyph


@register.filter
def kind_family(kind: str) -> str:
    return charts.kind_style(kind).family


@register.filter
def tone(value: float | None, kind: str) -> str:
    """`{{ value|tone:kind }}` is good, warn, bad or neutral."""
    return charts.score_tone(kind, value)


@register.filter
def signal_value(value: float | None, kind: str) -> str:
    return charts.format_value(kind, value)


@register.inclusion_tag("web/includes/sparkline.html")
def sparkline(line: charts.Sparkline | None, label: str, tone_name: str = "") -> dict[str, Any]:
    """Draw a sparkline built by the view, described for screen readers by `label`."""
    return {"line": line, "label": label, "tone": tone_name}


@register.filter
def cents(value: int | None) -> str:
    """`{{ entry.amount_cents|cents }}` is "$1,234.50" (whole dollars without the cents)."""
    return "" if value is None else dollars(int(value))


@register.filter
def label(code: object, vocabulary: str | Mapping[str, str] = "") -> str:
    """`{{ row.persona|label:"persona" }}` reads "Power user"; `{{ lift.play|label:titles }}`
    reads the play's title from a mapping looked up once (`advocacy.core.labels`)."""
    if isinstance(vocabulary, Mapping):
        return labels.label(code, "", vocabulary)
    return labels.label(code, vocabulary)


@register.filter
def person(user: object) -> str:
    """`{{ ask.owner|person }}`: a staff user's full name, else their username."""
    return labels.person(user)


@register.inclusion_tag("web/includes/sort_header.html")
def sort_header(
    order: Any, key: str, label: str, target: str = "", num: bool = False
) -> dict[str, Any]:
    """A column header that sorts the list by `key` (advocacy.web.sorting)."""
    return {"label": label, "target": target, "num": num, **order.link(key)}


@register.filter
def money(value: object) -> str:
    """`{{ req.amount|money }}` is "$40,000" for an amount in dollars (a Decimal or a number)."""
    if value is None or value == "":
        return ""
    return format_value(float(value), "amount")  # type: ignore[arg-type]


@register.filter
def play_title(name: str) -> str:
    """`{{ ask.play|play_title }}`: the play's title, for one play on a detail page (one query;
    a list reads its plays' titles in one query of its own and passes them to `label`)."""
    from advocacy.engine.models import Play

    if not name:
        return ""
    title = Play.objects.filter(name=name).values_list("title", flat=True).first()
    return title or labels.label(name, "play")
