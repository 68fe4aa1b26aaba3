"""A progress bar on stderr for long work a command runs (rich), one look for every command.

In a terminal the bar moves and is cleared at the end; written to a file or a pipe (a log, a
test) it is drawn once, as it ends, so the log still says how far the work went.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

Update = Callable[[int, int | None], None]


def console_for(stream: Any) -> Console:
    """A console on the stream under a command's OutputWrapper (or on stderr)."""
    return Console(file=getattr(stream, "_out", stream) or sys.stderr, soft_wrap=True)


@contextmanager
def progress_bar(
    stream: Any, label: str, *, unit: str = "", total: int | None = None
) -> Iterator[Update]:
    """Yield `update(done, total=None)`, to call as the work goes (a chunk, a day, a step)."""
    console = console_for(stream)
    amount: list[ProgressColumn] = (
        [DownloadColumn()]
        if unit == "bytes"
        else [MofNCompleteColumn(), TextColumn(unit)]
        if unit
        else [MofNCompleteColumn()]
    )
    columns = (TextColumn(label), BarColumn(), *amount, TimeRemainingColumn())
    with Progress(*columns, console=console, transient=console.is_terminal) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, new_total: int | None = None) -> None:
            if new_total is not None:
                bar.update(task, completed=done, total=new_total)
            else:
                bar.update(task, completed=done)

        yield update
