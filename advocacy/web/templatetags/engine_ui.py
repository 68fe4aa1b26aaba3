"""Template helpers of the engine pages: ask-type names, outcome words, charts, conditions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from advocacy.web import charts
from advocacy.web.playbook_text import ConditionNode
from advocacy.web.views.engine import OUTCOME_WORDS

register = template.Library()


@register.filter
def ask_names(codes: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """`{{ profile.ready_codes|ask_names:ask_types }}`: the names of ask-type codes."""
    return [names.get(code, code) for code in codes]


@register.filter
def short_name(name: str) -> str:
    """ "Review (G2, Capterra, TrustRadius)" → "Review": badges stay small."""
    return name.split(" (", 1)[0]


@register.filter
def outcome_word(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, outcome)


@register.filter
def effort_word(effort: str) -> str:
    return effort.replace("_", " ")


@register.inclusion_tag("web/includes/stacked_bars.html")
def stacked_bars(chart: charts.StackedBars, label: str) -> dict[str, Any]:
    """Draw a stacked bar chart built by the view, named for screen readers by `label`."""
    return {"chart": chart, "label": label}


@register.inclusion_tag("web/plays/condition.html")
def condition(node: ConditionNode | None) -> dict[str, Any]:
    """A condition as a nested list ("all of", "any of"), or "everyone" when empty."""
    return {"node": node}
