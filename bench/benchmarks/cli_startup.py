"""cli_startup: the CPU a short `advocacy` command spends, beside Django's own start-up.

Each command runs in a new Python process, as a shell would start it, against a SQLite file of
its own in the scratch folder (migrated and given the default playbook first, not timed): the
program is empty, so what is measured is start-up and not work. CPU is user + system time of
the child, read from `getrusage(RUSAGE_CHILDREN)`; each figure is the median of several runs.

Figures:

- `run`: `advocacy run --json` on the empty program. Goal: under 1 s of CPU.
- `run_with_checks`: the same with Django's system checks before it, as every command did
  before the product's commands skipped them (the checks import every view through the
  URLconf). No goal: it shows what skipping them saves.
- `version`: `advocacy --version`, which needs no Django at all.
- `help`: `advocacy --help`, which imports every product command to read its help.

Baseline for each: `python -c "import django; django.setup()"` with the same settings, the
least any command can cost.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from bench.harness import Context, Figure, benchmark

NAME = "cli_startup"
ROOT = Path(__file__).resolve().parents[2]
RUNS = {"tiny": 1, "small": 5, "full": 9}
GOAL_CPU = 1.0
BASELINE = "import django; django.setup()"
WITH_CHECKS = (
    "import sys; from advocacy import cli; cli.CHECKED = frozenset({'run'}); cli.main(sys.argv[1:])"
)


def cpu(argv: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) the child spent running `argv` to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(argv: list[str], env: dict[str, str], runs: int) -> float:
    return statistics.median(cpu(argv, env) for _ in range(runs))


@benchmark(NAME, "CPU of `advocacy run` and friends on an empty program vs django.setup()")
def run(ctx: Context) -> Iterable[Figure]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "ADVOCACY_SECRET_KEY": os.environ.get("ADVOCACY_SECRET_KEY", "benchmark-only-secret-key"),
        "ADVOCACY_DATA_DIR": str(ctx.workdir / "cli-data"),
        "ADVOCACY_DATABASE_URL": f"sqlite:///{ctx.workdir / 'cli.sqlite3'}",
    }
    cli = [sys.executable, "-m", "advocacy.cli"]
    ctx.log("migrating the command's own database and loading the playbook (not timed)")
    subprocess.run([*cli, "migrate", "-v0"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*cli, "playbook", "load"], env=env, cwd=ROOT, check=True, capture_output=True)
    runs = RUNS.get(ctx.scale, 5)
    baseline = median_cpu([sys.executable, "-c", BASELINE], env, runs)
    commands = {
        "run": [*cli, "run", "--json"],
        "run_with_checks": [sys.executable, "-c", WITH_CHECKS, "run", "--json"],
        "version": [*cli, "--version"],
        "help": [*cli, "--help"],
    }
    for figure, argv in commands.items():
        ctx.log(f"timing {figure} ({runs} run(s))")
        value = median_cpu(argv, env, runs)
        goal = f"value < {GOAL_CPU:g}" if figure == "run" else "none: for comparison"
        yield Figure(
            bench=NAME,
            figure=figure,
            value=round(value, 3),
            unit="s CPU",
            baseline=round(baseline, 3),
            ratio=round(value / baseline, 2) if baseline else None,
            goal=goal,
            met=value < GOAL_CPU if figure == "run" else None,
            extra={"runs": runs},
        )
