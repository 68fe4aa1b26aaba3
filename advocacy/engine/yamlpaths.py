"""Where a key sits in a YAML file: the line of a dotted path, for errors people can act on.

Plays and the policy are edited in a text editor and reviewed in git, so every error names the
file, the line and the field (`nps-review.yaml:7: trigger.value.gte: expected a number`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


def line_of(node: yaml.Node | None, path: Iterable[Any]) -> int:
    """The 1-based line of the node at `path` (keys and list indexes), or its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            if match is None:
                key = next((k for k, _ in node.value if k.value == str(part)), None)
                return key.start_mark.line + 1 if key is not None else line
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def dotted(path: Iterable[Any]) -> str:
    """`["audience", "all", 2, "value"]` as `audience.all[2].value`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def split_path(text: str) -> list[Any]:
    """The inverse of `dotted`: `audience.all[2].value` as `["audience", "all", 2, "value"]`."""
    parts: list[Any] = []
    for piece in text.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts
