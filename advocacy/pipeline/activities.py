"""The pipeline feeds the program: an ask that reaches its type's `activity_on` status records
the advocacy activity it produced, once, as a signal from the program itself.

The signal is keyed `ask:<id>:<kind>` under the source `program`; signals are unique per
(source, key), so a replayed move, or a second move to the same status, stores nothing new.
It is written by the move's own transaction (`advance_ask`, `advance_asks`), with the ask's
contact and account, at the move's `now`; its payload names the ask and its type. Recording is
set-based: one read of the moved asks whose type produces an activity at this status, one
insert of their signals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from advocacy.pipeline.models import Ask
from advocacy.signals.models import SignalKind
from advocacy.signals.services import SignalRow, insert_signal_rows, payload_json

SOURCE = "program"


def activity_key(ask_id: int, kind: str) -> str:
    """The program signal's key for the activity `kind` of ask `ask_id`."""
    return f"ask:{ask_id}:{kind}"


def activity_payload(ask_id: int, ask_type: str, kind: str) -> dict[str, Any]:
    """What the program signal carries: the ask and its type (a referral also its id and
    status, as a referral connector would send them)."""
    payload: dict[str, Any] = {"ask_id": ask_id, "ask_type": ask_type}
    if kind == SignalKind.REFERRAL_STATUS:
        payload |= {"referral_id": f"ask-{ask_id}", "status": "submitted"}
    return payload


def record_activities(ask_ids: Iterable[int], status: str, *, now: datetime) -> int:
    """Record the activity of each ask of `ask_ids` whose type produces one at `status`.

    Call it inside the move's transaction, after the move. Returns how many signals were new.
    """
    ids = sorted(set(ask_ids))
    if not ids:
        return 0
    produced = (
        Ask.objects.filter(pk__in=ids, ask_type__activity_on=status)
        .exclude(ask_type__activity_kind="")
        .order_by("pk")
        .values_list(
            "pk", "contact_id", "contact__account_id", "ask_type__code", "ask_type__activity_kind"
        )
    )
    rows: list[SignalRow] = [
        (
            SOURCE,
            activity_key(pk, kind),
            kind,
            account_id,
            contact_id,
            now,
            None,
            "",
            payload_json(activity_payload(pk, code, kind)),
        )
        for pk, contact_id, account_id, code, kind in produced
    ]
    return insert_signal_rows(rows, now=now)
