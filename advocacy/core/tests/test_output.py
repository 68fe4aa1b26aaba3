"""Tables on a command's stdout: fitted to a terminal, whole in a pipe."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import OutputWrapper
from rich.table import Table
from rich.text import Text

from advocacy.core.management.output import output_console

LONG = "a-value-far-longer-than-any-terminal-is-wide-" * 4


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def table() -> Table:
    t = Table()
    t.add_column("name")
    t.add_column("count", justify="right")
    t.add_row(LONG, "3")
    return t


def test_in_a_pipe_every_value_is_printed_whole() -> None:
    out = io.StringIO()
    output_console(OutputWrapper(out)).print(table())
    assert LONG in out.getvalue()
    assert "…" not in out.getvalue()
    assert len(out.getvalue().splitlines()) == 5  # top, header, rule, the one row, bottom


def test_in_a_terminal_the_table_fits_its_width(monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = Terminal()
    output_console(OutputWrapper(out)).print(table())
    plain = Text.from_ansi(out.getvalue()).plain  # a terminal gets colours
    assert max(len(line) for line in plain.splitlines()) == 60
    assert LONG not in plain
