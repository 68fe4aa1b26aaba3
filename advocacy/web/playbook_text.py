"""Plays in words: triggers, conditions, channels and owners as a person would say them.

Pure functions of a play's definition (the YAML as loaded), so the plays pages read like the
playbook they come from. Condition leaves are described by the engine's own vocabulary
(`advocacy.engine.conditions`), the same words the explanations on a contact page use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from advocacy.engine.conditions import Leaf, validate
from advocacy.people.models import Role
from advocacy.signals.models import SignalKind

VALUE_WORDS = {"eq": "=", "gte": "≥", "lte": "≤", "gt": ">", "lt": "<", "in": "in"}
CHANNEL_WORDS = {"email": "email", "in_app": "in-app message", "slack": "Slack", "csm": "CSM"}


def duration(hours: int) -> str:
    """48 → "48 hours"; whole days from three on → "7 days"."""
    if hours >= 72 and hours % 24 == 0:
        days = hours // 24
        return f"{days} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def signal_label(kind: str) -> str:
    return str(dict(SignalKind.choices).get(kind, kind))


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def trigger_text(definition: Mapping[str, Any]) -> str:
    """ "NPS answer ≥ 9, within 48 hours"."""
    trigger = definition.get("trigger") or {}
    parts = [signal_label(str(trigger.get("signal", "")))]
    for op, value in (trigger.get("value") or {}).items():
        shown = ", ".join(map(_number, value)) if isinstance(value, list) else _number(value)
        parts.append(f"{VALUE_WORDS.get(op, op)} {shown}")
    text = " ".join(parts)
    return f"{text}, within {duration(int(trigger.get('lookback_hours', 48)))}"


@dataclass
class ConditionNode:
    """One line of a condition: a leaf's words, or a group ("all of", "any of", "none of")."""

    text: str
    children: list[ConditionNode] = field(default_factory=list)


def condition_tree(cond: Mapping[str, Any] | None) -> ConditionNode | None:
    """The condition as nested lines (None when empty: everyone matches)."""
    if not cond:
        return None
    leaves = iter(validate(cond))
    return _node(cond, leaves)


def _node(cond: Mapping[str, Any], leaves: Iterator[Leaf]) -> ConditionNode:
    if "all" in cond or "any" in cond:
        word = "all" if "all" in cond else "any"
        children = [_node(item, leaves) for item in cond[word]]
        if len(children) == 1:
            return children[0]
        return ConditionNode(f"{word} of", children)
    if "not" in cond:
        inner = _node(cond["not"], leaves)
        if inner.children:
            return ConditionNode("none of" if inner.text == "any of" else "not", [inner])
        return ConditionNode(f"not: {inner.text}")
    return ConditionNode(next(leaves).describe())


def condition_text(cond: Mapping[str, Any] | None) -> str:
    """The condition on one line: "a and (b or c)"; "everyone" when empty."""
    tree = condition_tree(cond)
    return "everyone" if tree is None else _line(tree, top=True)


def _line(node: ConditionNode, *, top: bool = False) -> str:
    if not node.children:
        return node.text
    if node.text in {"all of", "any of"}:
        joiner = " and " if node.text == "all of" else " or "
        text = joiner.join(_line(child) for child in node.children)
        return text if top else f"({text})"
    return f"{node.text} {_line(node.children[0])}"


def channels_text(definition: Mapping[str, Any]) -> list[str]:
    """One line per step: "email, at once", "in-app message, after 5 days"."""
    lines = []
    for step in definition.get("channels") or []:
        name = CHANNEL_WORDS.get(step["channel"], step["channel"])
        after = int(step.get("after_hours", 0))
        lines.append(f"{name}, {'at once' if after == 0 else f'after {duration(after)}'}")
    return lines


def timing_text(definition: Mapping[str, Any]) -> str:
    timing = definition.get("timing") or {}
    parts = []
    if "within_hours" in timing:
        parts.append(f"ask within {duration(int(timing['within_hours']))}")
    if "reminder_after_days" in timing:
        days = int(timing["reminder_after_days"])
        parts.append(f"remind after {days} day{'s' if days != 1 else ''}")
    return "; ".join(parts)


def owner_text(definition: Mapping[str, Any]) -> str:
    owner = definition.get("owner") or {}
    role = str(dict(Role.choices).get(owner.get("role", ""), owner.get("role", "")))
    if owner.get("account_owner"):
        return f"{role}: the account's owner" if role else "The account's owner"
    return role or "Unassigned"


def sla_text(definition: Mapping[str, Any]) -> str:
    days = (definition.get("sla") or {}).get("respond_within_days")
    return f"respond within {days} day{'s' if days != 1 else ''}" if days else ""


def holdout_text(definition: Mapping[str, Any]) -> str:
    share = float(definition.get("holdout", 0) or 0)
    return "none" if share <= 0 else f"{share * 100:g}%"
