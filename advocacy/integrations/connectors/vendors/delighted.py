"""Delighted: survey responses, as its webhooks send them.

Delighted posts `{"event_type", "event_id", "event_data": <survey response>, "event_creator"}`
for `survey_response.created` and `survey_response.updated` (a comment added after the score,
a score changed). The response's `id` is the signal's key and its `updated_at` the answer's
revision: an update rewrites the same answer (value, comment), never a second signal. An NPS
survey's score is an `nps` signal, a CSAT survey's a `csat` one; other survey types and other
events (`unsubscribe.created`, ...) are skipped.

The person is matched by `person.email`, else by `person.id` as a contact identity of source
`delighted`. Requests are signed: `X-Delighted-Webhook-Signature` is the HMAC-SHA256 of the raw
body, keyed with the webhook's secret, in hex (a `sha256=` prefix is accepted).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Mapped,
    Mapping_,
    Received,
    Refused,
    email_of,
    from_unix,
    register,
    same,
    score,
)
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord

HEADER = "x-delighted-webhook-signature"
EVENTS = ("survey_response.created", "survey_response.updated")
KINDS = {"nps": SignalKind.NPS, "csat": SignalKind.CSAT}


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Delighted(Connector):
    kind = "delighted"
    label = "Delighted"
    secret_help = "the webhook's signing secret, from Delighted's Webhooks integration page"

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        given = request.headers.get(HEADER, "").strip().removeprefix("sha256=")
        if not given:
            raise Refused(f"no {HEADER} header")
        if not same(given.lower(), sign(secret, request.body)):
            raise Refused(f"{HEADER} does not match the body")

    def event_id(self, request: Received, data: Any) -> str:
        if not isinstance(data, dict):
            raise Malformed("expected a JSON object")
        if data.get("event_id"):
            return str(data["event_id"])
        answer = data.get("event_data") or {}
        if not isinstance(answer, dict) or not answer.get("id"):
            raise Malformed("no event_id and no event_data.id")
        return f"{data.get('event_type')}:{answer['id']}:{answer.get('updated_at')}"

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        if not isinstance(data, dict):
            raise Malformed("expected a JSON object")
        if data.get("event_type") not in EVENTS:
            return Mapping_(skipped=1)
        answer = data.get("event_data")
        if not isinstance(answer, dict) or not answer.get("id"):
            raise Malformed("event_data.id (the survey response) is required")
        kind = KINDS.get(str(answer.get("survey_type") or "nps"))
        if kind is None:
            return Mapping_(skipped=1)
        person = answer.get("person")
        person = person if isinstance(person, dict) else {"id": person}
        email = email_of(person.get("email"))
        person_id = str(person.get("id") or "")
        if email is None and not person_id:
            raise Malformed("event_data.person has neither an email nor an id")
        moment = answer.get("created_at")
        revision = from_unix(answer.get("updated_at") or moment).timestamp()
        comment = answer.get("comment") or ""
        record = SignalRecord(
            source=source,
            key=str(answer["id"]),
            kind=kind,
            occurred_at=from_unix(moment),
            contact_email=email,
            contact_external_id=("delighted", person_id) if person_id else None,
            value=score(answer.get("score"), where="event_data.score"),
            text=comment if isinstance(comment, str) else "",
            payload={"delighted": {k: answer.get(k) for k in
                     ("id", "permalink", "survey_type", "tags", "updated_at")}},
        )  # fmt: skip
        return Mapping_([Mapped(record, revision)])


register(Delighted())
