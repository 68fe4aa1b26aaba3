"""`advocacy slack list|resend`: the team's notices posted on Slack, and a failed one sent
again (who may send a failed email again may: `--as` is checked against `messages.retry`)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.integrations.slack.models import PostStatus, SlackPost
from advocacy.integrations.slack.services import SlackError, posts, resend
from advocacy.people.management.acting import acting_user


def post_row(p: SlackPost) -> dict[str, Any]:
    return {
        "id": p.pk,
        "notice_id": p.notice_id,
        "notice": p.notice.text,
        "target": p.target,
        "to": p.to,
        "status": p.status,
        "attempts": p.attempts,
        "error": p.error,
        "created_at": p.created_at.isoformat(),
        "due_at": p.due_at.isoformat(),
        "posted_at": p.posted_at.isoformat() if p.posted_at else None,
    }


class Command(BaseCommand):
    help = "The team's notices posted on Slack: list them, send a failed one again."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser("list", help="Slack posts, newest first.")
        listing.add_argument("--status", choices=PostStatus.values)
        listing.add_argument("--limit", type=int, default=100)
        again = sub.add_parser(
            "resend", help="Queue a failed post again; the worker's next pass posts it."
        )
        again.add_argument("id", type=int)
        add_as_of(again)
        for p in (listing, again):
            p.add_argument("--as", dest="as_user", help="Act as this username.")
            p.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("slack", opts)
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except SlackError as exc:
            raise CommandError(str(exc)) from None

    def do_list(self, opts: dict[str, Any]) -> None:
        if opts["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        rows = [post_row(p) for p in posts(status=opts["status"] or "")[: opts["limit"]]]
        if opts["json"]:
            self.stdout.write(json.dumps({"posts": rows}))
            return
        if not rows:
            self.stdout.write("no Slack posts")
            return
        for r in rows:
            why = f"  {r['error']}" if r["error"] else ""
            self.stdout.write(f"{r['id']:>6}  {r['status']:<8} {r['target']:<8} {r['to']}{why}")

    def do_resend(self, opts: dict[str, Any]) -> None:
        post = resend(opts["id"], now=as_of(opts))
        if opts["json"]:
            self.stdout.write(json.dumps(post_row(post)))
            return
        self.stdout.write(
            f"Slack post {post.pk} to {post.to} queued again: the worker's next pass posts it"
        )
