"""The console a command prints its tables on: one for every command, whole values in a pipe.

In a terminal, rich fits a table to the terminal's width (a long value wraps, or is cut with
"…"). Anywhere else (a pipe, a file, a test) nobody reads it at a width: the console is as wide
as the longest line, so `advocacy run | grep nps-promoter` finds the whole play name.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

# Wide enough for any row a command prints; rich pads nothing to it (tables are not expanded).
UNBOUNDED = 100_000


def output_console(stream: Any) -> Console:
    """A console on a command's stdout (the stream under Django's OutputWrapper)."""
    out = getattr(stream, "_out", stream)
    terminal = bool(getattr(out, "isatty", lambda: False)())
    return Console(file=out, width=None if terminal else UNBOUNDED, soft_wrap=not terminal)
