"""`advocacy asks guard|pause|resume|replacements|reassign`: the guards from the command line.

Kept beside the `asks` command, which hands these actions over; every action calls one service.
"""

from __future__ import annotations

import json
from argparse import _SubParsersAction
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.customers.models import Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.guards import ReassignRefused, reassign_ask, run_guards, suggest_replacements
from advocacy.engine.services import Excluded, current_policy
from advocacy.pipeline.models import Ask
from advocacy.pipeline.pausing import PauseRefused, pause_ask, resume_ask
from advocacy.pipeline.services import InvalidTransition

ACTIONS = ("guard", "pause", "resume", "replacements", "reassign")


def add_parsers(sub: _SubParsersAction) -> None:  # type: ignore[type-arg]
    guard = sub.add_parser(
        "guard", help="Pause, resume and cancel open asks as the guards decide (opt-out, left…)."
    )
    add_as_of(guard, help="Apply the guards as of this date or date-time (default: now).")
    pause = sub.add_parser("pause", help="Put an open ask on hold, with a reason.")
    pause.add_argument("id", type=int)
    pause.add_argument("--reason", required=True, help="Why it is paused (shown on the board).")
    resume = sub.add_parser("resume", help="Take a paused ask off hold.")
    resume.add_argument("id", type=int)
    resume.add_argument("--note", default="", help="Recorded with the resume.")
    replacements = sub.add_parser(
        "replacements", help="Colleagues at the same account who could take the ask over."
    )
    replacements.add_argument("id", type=int)
    reassign = sub.add_parser(
        "reassign", help="Cancel the ask and open it for a colleague (caps and exclusions hold)."
    )
    reassign.add_argument("id", type=int)
    reassign.add_argument("email", help="The replacement's email (same account).")
    reassign.add_argument("--note", default="", help="Recorded on both asks.")
    for p in (guard, pause, resume, replacements, reassign):
        p.add_argument("--json", action="store_true", help="Print one JSON object.")
    for p in (pause, resume, reassign):
        p.add_argument("--as", dest="as_user", help="Record it as this username.")
        add_as_of(p)


def _ask(pk: int) -> Ask:
    ask = Ask.objects.select_related("contact", "contact__account", "ask_type").filter(pk=pk)
    found = ask.first()
    if found is None:
        raise CommandError(f"no ask with id {pk}")
    return found


def _actor(opts: dict[str, Any]) -> Any:
    if not opts.get("as_user"):
        return None
    user = get_user_model().objects.filter(username=opts["as_user"]).first()
    if user is None:
        raise CommandError(f"--as: no user named {opts['as_user']!r}")
    return user


def handle(command: BaseCommand, opts: dict[str, Any]) -> None:
    """Run one of ACTIONS; refusals exit non-zero with the service's message."""
    try:
        _handle(command, opts)
    except (PauseRefused, ReassignRefused, InvalidTransition, CapExceeded, Excluded) as exc:
        raise CommandError(str(exc)) from None


def _handle(command: BaseCommand, opts: dict[str, Any]) -> None:
    out, action = command.stdout, opts["action"]
    if action == "guard":
        now = as_of(opts)
        report = run_guards(now=now, policy=current_policy())
        if opts["json"]:
            out.write(json.dumps(report.as_dict()))
            return
        out.write(
            f"opt-outs recorded from signals: {report.opt_outs_recorded}; "
            f"agreements ended: {report.agreements_ended}; "
            f"asks cancelled: {len(report.cancelled)}"
        )
        for code, ids in report.paused.items():
            out.write(f"paused ({code}): {len(ids)}; resumed: {len(report.resumed[code])}")
        return
    ask, now = _ask(opts["id"]), as_of(opts)
    if action == "pause":
        pause_ask(ask, opts["reason"], actor=_actor(opts), now=now)
        body = {"id": ask.pk, "status": ask.status, "paused_reason": ask.paused_reason}
        text = f"ask {ask.pk} is paused ({ask.paused_reason}); it stays {ask.status}"
    elif action == "resume":
        resume_ask(ask, actor=_actor(opts), now=now, note=opts["note"])
        body = {"id": ask.pk, "status": ask.status, "paused_reason": ""}
        text = f"ask {ask.pk} is resumed; it is {ask.status}"
    elif action == "replacements":
        found = suggest_replacements(ask, now=now, policy=current_policy())
        if opts["json"]:
            out.write(json.dumps({"id": ask.pk, "candidates": [c.as_dict() for c in found]}))
            return
        table = Table(title=f"Replacements for ask {ask.pk} at {ask.contact.account.name}")
        for column in ("contact", "name", "rung", "ready", "why"):
            table.add_column(column)
        for cand in found:
            ready = "yes" if cand.ready else "no"
            table.add_row(cand.email, cand.name, cand.rung, ready, cand.reasons)
        output_console(out).print(table)
        if not found:
            out.write("nobody at the account passes the exclusions and caps for this ask type")
        return
    else:
        replacement = Contact.objects.filter(email=opts["email"].strip().lower()).first()
        if replacement is None:
            raise CommandError(f"no contact with email {opts['email']!r}")
        done = reassign_ask(
            ask,
            replacement,
            actor=_actor(opts),
            now=now,
            policy=current_policy(),
            note=opts["note"],
        )
        body = done.as_dict()
        text = (
            f"ask {ask.pk} cancelled; ask {done.new.pk} opened for {replacement.email} "
            f"({done.new.status})"
        )
    out.write(json.dumps(body) if opts["json"] else text)
