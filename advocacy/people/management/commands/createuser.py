"""`advocacy createuser USERNAME --role admin|cs|sales|marketing [--email E] [--password-stdin]`."""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people.models import Role
from advocacy.people.services import PeopleError, create_user


class Command(BaseCommand):
    help = (
        "Create a staff user with a role. The password is read from stdin with "
        "--password-stdin, else prompted for twice; --no-password makes a user that can only "
        "hold API keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of stdin",
        )
        source.add_argument(
            "--no-password", action="store_true", help="no password: the user cannot log in"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options)
        try:
            user = create_user(
                options["username"],
                role=options["role"],
                email=options["email"],
                password=password,
                actor=None,
                now=timezone.now(),
            )
        except PeopleError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            data = {"username": user.username, "role": user.role, "email": user.email}
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(f"created user {user.username} (role {user.get_role_display()})")

    def _password(self, options: dict[str, Any]) -> str | None:
        if options["no_password"]:
            return None
        if options["password_stdin"]:
            line = sys.stdin.readline().rstrip("\r\n")
            if not line:
                raise CommandError("--password-stdin: stdin gave an empty password")
            return line
        if not sys.stdin.isatty():
            raise CommandError(
                "no terminal to prompt for a password: use --password-stdin or --no-password"
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first
