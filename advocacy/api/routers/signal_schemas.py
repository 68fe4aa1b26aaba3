"""Schemas of signals: what the API accepts (SignalIn) and answers (SignalOut)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema, model_validator

from advocacy.api.routers.customer_schemas import AccountRefIn, Email
from advocacy.api.schemas import MAX_ID, ExternalId, Instant, IntOrFloat, bounded
from advocacy.signals.checks import VALUE_LIMIT
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord

MAX_SIGNAL_BATCH = 5000
MAX_PAYLOAD_BYTES = 64 * 1024
# Sent on as given (9 stays an int, 9.0 a float): the kind's scale is checked by the service.
SignalValue = Annotated[
    IntOrFloat,
    WithJsonSchema({"type": "number", "minimum": -VALUE_LIMIT, "maximum": VALUE_LIMIT}),
]


def _has_nul(value: Any) -> bool:
    """Whether a NUL character hides anywhere in a JSON value (PostgreSQL refuses them)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class SignalOut(Schema):
    id: int
    source: str
    key: str
    kind: str
    account_id: int
    contact_id: int | None
    occurred_at: datetime
    value: float | None
    text: str
    payload: dict[str, Any]
    received_at: datetime


class SignalFilters(Schema):
    contact_id: int = Field(..., ge=1, le=MAX_ID, description="Whose timeline")
    kind: SignalKind | None = None


class ContactRefIn(Schema):
    """How to find the contact a signal is about: its email or one of its external ids."""

    email: Email | None = None
    external_id: ExternalId | None = None


class SignalIn(Schema):
    """One fact. Unique per (source, key): sending it again changes nothing.

    Name the contact it is about (`contact`), or only the account for account-level facts
    (health score, renewal).
    """

    source: Annotated[str, bounded(50, min_length=1)] = Field(
        description="Where it came from: `api`, `delighted`, `gainsight`…"
    )
    key: Annotated[str, bounded(255, min_length=1)] = Field(
        description="Unique within the source (the source's own event id)"
    )
    kind: SignalKind = Field(
        description="nps (a whole number from 0 to 10), csat (a whole number from 1 to 5) and "
        "health_score (a number from 0 to 100) need a `value`"
    )
    occurred_at: Instant = Field(
        description="When it happened: from ADVOCACY_SIGNAL_EARLIEST (default 2000-01-01) to "
        "a few minutes ahead of the clock"
    )
    contact: ContactRefIn | None = None
    account: AccountRefIn | None = None
    value: SignalValue | None = Field(
        None,
        description="A JSON number; a whole-number scale (nps, csat) takes one without a "
        "decimal point or exponent (9, not 9.0 or 1e1)",
    )
    text: Annotated[str, bounded(10_000)] = ""
    payload: dict[str, Any] = Field(default_factory=dict, description="The raw event, kept")
    referral_id: Annotated[str, bounded(255, min_length=1)] | None = Field(
        None,
        description="For `referral_status`: which referral this status updates (kept in the "
        "payload as `referral_id`); the referral volume counts each referral once",
    )

    @model_validator(mode="after")
    def _check(self) -> SignalIn:
        if self.contact is None and self.account is None:
            raise ValueError("give `contact` or `account`: whom the signal is about")
        if self.contact is not None and self.contact.email is None and not self.contact.external_id:
            raise ValueError("`contact` needs its `email` or an `external_id`")
        encoded = json.dumps(self.payload, default=str)
        if len(encoded) > MAX_PAYLOAD_BYTES:
            raise ValueError(
                f"payload is {len(encoded)} bytes, at most {MAX_PAYLOAD_BYTES} allowed"
            )
        if _has_nul(self.payload):
            raise ValueError("payload contains a NUL character (\\u0000), which is not stored")
        given = self.payload.get("referral_id")
        if self.referral_id is not None and given is not None and given != self.referral_id:
            raise ValueError(
                f"referral_id is {self.referral_id!r} but payload.referral_id is {given!r}: "
                "give one, or the same in both"
            )
        return self

    def to_record(self) -> SignalRecord:
        contact = self.contact
        return SignalRecord(
            source=self.source,
            key=self.key,
            kind=self.kind,
            occurred_at=self.occurred_at,
            contact_email=contact.email if contact else None,
            contact_external_id=(contact.external_id.source, contact.external_id.id)
            if contact and contact.external_id
            else None,
            account_ref=self.account.to_ref() if self.account else None,
            value=self.value,
            text=self.text,
            payload=self.payload
            if self.referral_id is None
            else {**self.payload, "referral_id": self.referral_id},
        )


class SignalBatchIn(Schema):
    items: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNAL_BATCH)
