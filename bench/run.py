"""Run one benchmark against a fresh database and print its figures as JSON lines.

    python bench/run.py --list
    python bench/run.py NAME [--scale small|full] [--db sqlite|postgres] [--keep]

SQLite: a new database file in a temporary folder, removed afterwards. PostgreSQL: a new
database `advocacy_bench_<pid>` on ADVOCACY_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards. Progress goes to stderr,
figures (one JSON object per line) to stdout. docs/benchmarks.md explains each figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import SCALES, Context, discover  # noqa: E402

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _postgres_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("name", nargs="?", help="the benchmark to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder/database")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="run on the SQLite data a --keep run of the same benchmark left in DIR, kept again",
    )
    args = parser.parse_args(argv)

    if args.reuse and args.db != "sqlite":
        parser.error("--reuse works with --db sqlite")
    workdir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="advocacy-bench-"))
    if args.reuse and not (workdir / "bench.sqlite3").exists():
        parser.error(f"{workdir} holds no bench.sqlite3 from a --keep run")
    args.keep = args.keep or bool(args.reuse)
    os.environ["ADVOCACY_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("ADVOCACY_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "advocacy.settings"
    os.environ["ADVOCACY_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    pg_database = None
    admin_url = os.environ.get("ADVOCACY_BENCH_POSTGRES", POSTGRES_ADMIN)
    if args.db == "postgres" and args.name and not args.list:
        pg_database = f"advocacy_bench_{os.getpid()}"
        _postgres_admin(admin_url, f'CREATE DATABASE "{pg_database}"')
        base = admin_url.rsplit("/", 1)[0]
        os.environ["ADVOCACY_DATABASE_URL"] = f"{base}/{pg_database}"
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        registry = discover()
        if args.list or not args.name:
            for entry in sorted(registry.values(), key=lambda e: e.name):
                print(f"{entry.name:<20} {entry.description}")
            return 0 if args.list else 2
        if args.name not in registry:
            known = ", ".join(sorted(registry))
            print(f"unknown benchmark {args.name!r}: expected one of {known}", file=sys.stderr)
            return 2
        log(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); migrating")
        call_command("migrate", interactive=False, verbosity=0)
        ctx = Context(
            scale=args.scale, workdir=workdir, db=connection.vendor, log=log, reuse=bool(args.reuse)
        )
        for figure in registry[args.name].run(ctx):
            print(figure.as_json(db=connection.vendor, scale=args.scale), flush=True)
        connection.close()
    finally:
        if args.keep:
            log(f"kept {workdir}" + (f" and database {pg_database}" if pg_database else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if pg_database:
                _postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
