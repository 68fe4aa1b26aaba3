"""Asks come into being in one place only: advocacy.engine.asks.open_asks."""

import re
from pathlib import Path

import advocacy

CREATES_ASK = re.compile(
    r"(?<!class )\bAsk\("
    r"|Ask\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
    r"|\basks\.create\("
)


def test_no_module_but_engine_asks_creates_asks():
    root = Path(advocacy.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel == "engine/asks.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CREATES_ASK.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_what_it_should():
    assert CREATES_ASK.search("Ask.objects.create(contact=c)")
    assert CREATES_ASK.search("x = Ask(contact=c)")
    assert not CREATES_ASK.search("AskType.objects.create(code='x')")
    assert not CREATES_ASK.search("class Ask(models.Model):")
