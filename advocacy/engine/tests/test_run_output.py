"""advocacy run's table, piped: every play name whole."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy.engine.plays import load_playbook


@pytest.mark.django_db
def test_run_prints_whole_play_names_when_piped() -> None:
    """`advocacy run | cat` used to show "nps-p…" at 80 columns."""
    load_playbook(now=timezone.now())
    out = io.StringIO()
    call_command("run", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    for name in ("nps-promoter-review", "shared-win-case-study", "nomination-reference"):
        assert f"│ {name} " in text
    assert "…" not in text
