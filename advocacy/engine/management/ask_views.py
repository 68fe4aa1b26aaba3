"""`advocacy asks views list|save|remove` and the filters of `advocacy asks list`.

Kept beside the `asks` command, which hands these over. A saved view belongs to one user, so
every `views` action names them with `--as`; the filters are the board's
(`advocacy.pipeline.board.AskFilter`), applied the same way here, on the board and in the API.
"""

from __future__ import annotations

import json
from argparse import SUPPRESS, ArgumentParser, _SubParsersAction
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.table import Table

from advocacy.core.management.output import output_console
from advocacy.people.models import User
from advocacy.pipeline.board import (
    DUE_CHOICES,
    YES_NO,
    AskFilter,
    FilterError,
    SavedView,
    remove_view,
    save_view,
    view_named,
    views_of,
)

DUES = [key for key, _ in DUE_CHOICES]


def add_filters(parser: ArgumentParser) -> None:
    """The board's filters as options: `--owner`, `--role`, `--play`, `--ask-type`, `--due`."""
    parser.add_argument("--owner", default="", help="Only asks owned by this username.")
    parser.add_argument("--role", default="", help="Only asks owned by this role (cs, sales…).")
    parser.add_argument("--play", default="", help="Only asks of this play; '-': manual asks.")
    parser.add_argument("--ask-type", default="", help="Only asks of this type (review…).")
    parser.add_argument(
        "--due",
        choices=DUES,
        default="",
        help="Open asks past due, due in the next 7 days, or due later (or undated).",
    )


def filter_of(opts: dict[str, Any], *, paused: str = "", mine: bool = False) -> AskFilter:
    """The filter set the options give; CommandError naming the option that is wrong."""
    try:
        found = AskFilter(
            owner=opts["owner"].strip(),
            role=opts["role"].strip(),
            play=opts["play"].strip(),
            ask_type=opts["ask_type"].strip(),
            due=opts["due"],
            paused=paused,
            mine=mine,
        )
        found.check()
    except FilterError as exc:
        raise CommandError(_option(exc)) from None
    return found


def _option(exc: FilterError) -> str:
    field = {"ask_type": "ask-type"}.get(exc.field, exc.field)
    text = str(exc)
    return f"--{field}{text[len(exc.field) :]}" if exc.field else text


def view_filter(user: User | None, name: str) -> AskFilter:
    if user is None:
        raise CommandError("--view: say whose view with --as USER")
    try:
        return view_named(user, name).filter
    except FilterError as exc:
        raise CommandError(f"--view: {exc}") from None


def add_parsers(sub: _SubParsersAction) -> None:  # type: ignore[type-arg]
    views = sub.add_parser("views", help="Your saved views of the pipeline: list, save, remove.")
    views.add_argument("--as", dest="as_user", help="Whose views (required).")
    views.add_argument("--json", action="store_true", help="Print one JSON object.")
    actions = views.add_subparsers(dest="views_action", required=True)
    listing = actions.add_parser("list", help="The saved views of the --as user.")
    save = actions.add_parser(
        "save", help="Save a filter set under a name (a view of that name is replaced)."
    )
    save.add_argument("name", help="The view's name, as the board shows it.")
    add_filters(save)
    save.add_argument("--paused", choices=YES_NO, default="", help="Only paused, or unpaused.")
    save.add_argument("--mine", action="store_true", help="Only the asks of whoever uses it.")
    remove = actions.add_parser("remove", help="Remove a saved view.")
    remove.add_argument("name")
    for p in (listing, save, remove):  # before or after the action: `views --as U list --json`
        p.add_argument("--as", dest="as_user", default=SUPPRESS, help="Whose views (required).")
        p.add_argument("--json", action="store_true", default=SUPPRESS, help="Print JSON.")


def _row(view: SavedView) -> dict[str, Any]:
    return {
        "name": view.name,
        "filters": view.filters,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
    }


def _words(filters: dict[str, Any]) -> str:
    return ", ".join(k if v is True else f"{k}={v}" for k, v in filters.items()) or "everything"


def handle(command: BaseCommand, opts: dict[str, Any], user: User | None) -> None:
    if user is None:
        raise CommandError("views: say whose views with --as USER")
    action = opts["views_action"]
    out = command.stdout
    if action == "list":
        rows = [_row(v) for v in views_of(user)]
        if opts["json"]:
            out.write(json.dumps({"user": user.get_username(), "views": rows}))
            return
        table = Table(title=f"{len(rows)} saved view(s) of {user.get_username()}")
        for column in ("name", "filters", "saved"):
            table.add_column(column)
        for r in rows:
            table.add_row(r["name"], _words(r["filters"]), r["updated_at"][:16].replace("T", " "))
        output_console(out).print(table)
    elif action == "save":
        found = filter_of(opts, paused=opts["paused"], mine=opts["mine"])
        try:
            view = save_view(user, opts["name"], found, now=timezone.now())
        except FilterError as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            out.write(json.dumps(_row(view)))
        else:
            out.write(f"saved the view {view.name!r}: {_words(view.filters)}")
    else:
        try:
            remove_view(user, opts["name"])
        except FilterError as exc:
            raise CommandError(str(exc)) from None
        name = " ".join(opts["name"].split())
        if opts["json"]:
            out.write(json.dumps({"removed": name}))
        else:
            out.write(f"removed the view {name!r}")
