"""The `advocacy` console script: Django's management commands under one friendly name.

`advocacy import contacts export.csv` is `manage.py import contacts export.csv`; `advocacy help`
lists the commands. Business logic never lives here: each command calls a service.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help", "--commands"]
    execute_from_command_line(["advocacy", *args])


if __name__ == "__main__":
    main()
