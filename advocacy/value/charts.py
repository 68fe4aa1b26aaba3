"""Inline SVG charts for the year in review: no script, nothing fetched, readable in a PDF.

Pure functions of their numbers. Each chart has a <title> and an aria-label that say its
numbers in words, so the chart is never the only place they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 480, 160, 24


def _label(title: str, items: Sequence[dict[str, Any]]) -> str:
    said = ", ".join(f"{i['label']} {_num(i['value'])}" for i in items if i["value"] is not None)
    return f"{title}: {said or 'none'}"


def _num(value: float) -> str:
    return f"{value:g}"


def bars(title: str, items: Sequence[dict[str, Any]]) -> SafeString:
    """Vertical bars, one per item ({label, value}), labelled under each bar."""
    top = max([float(i["value"] or 0) for i in items] + [1.0])
    step = (WIDTH - 2 * PAD) / max(len(items), 1)
    parts = []
    for n, item in enumerate(items):
        value = float(item["value"] or 0)
        h = (HEIGHT - 2 * PAD) * value / top
        x = PAD + n * step
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#2f6feb"><title>{}: {}</title>'
                '</rect><text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
                f"{x + step * 0.15:.1f}",
                f"{HEIGHT - PAD - h:.1f}",
                f"{step * 0.7:.1f}",
                f"{h:.1f}",
                item["label"],
                _num(value),
                f"{x + step / 2:.1f}",
                HEIGHT - PAD + 12,
                item["label"],
            )
        )
    return _svg(title, items, "bars", "".join(parts))


def line(
    title: str, items: Sequence[dict[str, Any]], *, low: float = 0, high: float = 100
) -> SafeString:
    """A line through the items' values on a fixed scale (a health score: 0 to 100); an item
    without a value is a gap."""
    step = (WIDTH - 2 * PAD) / max(len(items) - 1, 1)
    points = []
    for n, item in enumerate(items):
        if item["value"] is None:
            continue
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (float(item["value"]) - low) / (high - low)
        points.append(f"{PAD + n * step:.1f},{y:.1f}")
    labels = "".join(
        format_html(
            '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
            f"{PAD + n * step:.1f}",
            HEIGHT - PAD + 12,
            item["label"],
        )
        for n, item in enumerate(items)
    )
    body = labels
    if points:
        body += format_html(
            '<polyline points="{}" fill="none" stroke="#1a7f37" stroke-width="2"/>',
            " ".join(points),
        )
    return _svg(title, items, "line", body)


def _svg(title: str, items: Sequence[dict[str, Any]], kind: str, body: str) -> SafeString:
    words = escape(_label(title, items))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{kind}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{words}" '
        f'data-chart="{kind}"><title>{words}</title>{body}</svg>'
    )
