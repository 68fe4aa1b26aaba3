"""Validated input for `record_signals`: one frozen dataclass per signal.

A signal names who it is about by `contact_email` (lower-cased), or `contact_external_id`
((source, id) of a contact identity), or, for account-level facts (health score, renewal), by
`account_ref` alone. `(source, key)` is its identity: sending it again changes nothing.
`value` is checked against its kind's scale by `advocacy.signals.checks`: an NPS or CSAT answer
is an `int` (a float such as 9.0 was written as a fraction and is refused for them).
`RecordError` and `UpsertResult` are shared with the customer services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from advocacy.customers.records import AccountRef, RecordError, UpsertResult

__all__ = ["AccountRef", "RecordError", "SignalRecord", "UpsertResult"]


@dataclass(frozen=True)
class SignalRecord:
    source: str
    key: str
    kind: str
    occurred_at: datetime  # timezone-aware
    contact_email: str | None = None
    contact_external_id: tuple[str, str] | None = None
    account_ref: AccountRef | None = None
    value: int | float | None = None
    text: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)
