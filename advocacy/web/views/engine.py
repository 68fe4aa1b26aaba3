"""What the engine pages share: the policy in force, ask-type names, words for outcomes.

The clock is read here, at the edge (`timezone.now()`), and handed to the engine's services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest

from advocacy.engine.models import Outcome
from advocacy.engine.policy import Policy
from advocacy.engine.services import current_policy
from advocacy.people.models import User
from advocacy.pipeline.models import AskType
from advocacy.web.charts import Series

# Short words for outcomes, in the order the chart stacks them (bottom up) and tables list them.
OUTCOME_WORDS: dict[str, str] = {
    Outcome.ASKED: "Asked",
    Outcome.HELD_FOR_APPROVAL: "Held for approval",
    Outcome.HELD_OUT: "Held out",
    Outcome.BLOCKED_CAP: "Blocked by cap",
    Outcome.BLOCKED_EXCLUSION: "Blocked by exclusion",
    Outcome.ALREADY_OPEN: "Already open",
    Outcome.NOT_ELIGIBLE: "Not eligible",
    Outcome.NOT_IN_AUDIENCE: "Not in audience",
}
OUTCOME_SERIES = tuple(Series(key, label) for key, label in OUTCOME_WORDS.items())


def actor(request: HttpRequest) -> User:
    return cast(User, request.user)


class PolicyProblem(Exception):
    """The playbook folder's policy.yaml cannot be read; the message says why."""


def policy_in_force() -> Policy:
    """The policy of the configured playbook folder, or PolicyProblem naming the fault."""
    try:
        return current_policy()
    except ValueError as exc:
        raise PolicyProblem(
            f"The policy file (policy.yaml in {settings.PLAYBOOK_DIR}) is invalid: {exc}"
        ) from None


def policy_or_message(request: HttpRequest) -> Policy | None:
    """For POST actions: the policy, or None after telling the user what is wrong with it."""
    try:
        return policy_in_force()
    except PolicyProblem as exc:
        messages.error(request, str(exc))
        return None


def ask_type_names() -> dict[str, str]:
    """Code → name of every ask type in the catalogue (one query)."""
    return dict(AskType.objects.order_by("code").values_list("code", "name"))


def outcome_summary(counts: Mapping[str, int]) -> str:
    """ "12 asked, 1 held out, 3 blocked by cap"; outcomes with no count are left out."""
    parts = [
        f"{counts[key]:,} {word.lower()}" for key, word in OUTCOME_WORDS.items() if counts.get(key)
    ]
    return ", ".join(parts) if parts else "no decision"
