"""Entry points the delivery layers call: the policy in force, explanations by email."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from advocacy.customers.models import Contact
from advocacy.engine.explain import Explanation, next_best_asks
from advocacy.engine.policy import Policy, read_policy


@lru_cache(maxsize=4)
def _policy_for(folder: str, mtime: float) -> Policy:
    return read_policy(Path(folder))


def current_policy() -> Policy:
    """The policy of the configured playbook folder, re-read when its policy.yaml changes."""
    folder = Path(settings.PLAYBOOK_DIR)
    path = folder / "policy.yaml"
    return _policy_for(str(folder), path.stat().st_mtime if path.exists() else 0.0)


def explain_email(email: str, *, now: datetime) -> Explanation:
    """Next best asks for the contact with this email (Contact.DoesNotExist when none)."""
    contact = Contact.objects.get(email=email.strip().lower())
    return next_best_asks(contact, now=now, policy=current_policy())
