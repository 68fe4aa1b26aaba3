"""Background tasks of the engine: thin wrappers that read the clock and call a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.engine.evaluation import run_plays
from advocacy.engine.guards import run_guards
from advocacy.engine.models import Play
from advocacy.engine.services import current_policy
from advocacy.engine.state import contacts_changed_since, refresh_profiles


@task()
def evaluate_plays() -> dict[str, Any]:
    """Refresh the profiles of contacts whose signals changed, apply the guards to open asks,
    then run the plays incrementally."""
    now = timezone.now()
    policy = current_policy()
    since = Play.objects.order_by("watermark").values_list("watermark", flat=True).first() or 0
    changed = list(contacts_changed_since(since).values_list("pk", flat=True))
    refreshed = refresh_profiles(now=now, contact_ids=changed, policy=policy)
    guarded = run_guards(now=now, policy=policy)
    runs = run_plays(now=now, policy=policy, incremental=True)
    return {
        "profiles": refreshed,
        "guards": guarded.as_dict(),
        "plays": [r.as_dict() for r in runs],
    }
