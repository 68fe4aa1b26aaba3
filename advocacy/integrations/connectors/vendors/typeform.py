"""Typeform: a submitted form (`form_response`), as its webhooks send it.

Typeform posts `{"event_id", "event_type": "form_response", "form_response": {...}}`, the
response's `token` its id, `answers` one per field answered, each naming its `field` (`id`,
`ref`, `type`). The score is the answer to the field whose `ref` is `--option nps_field=REF`;
by default, the first answer to a field of type `nps`, else to an `opinion_scale` answered
0-10. The comment is the answer to `--option comment_field=REF`, by default the first
`long_text` (else `short_text`) answer. The person is the hidden field `email` (add it to the
form's hidden fields), else the first `email` answer. A response without a score is skipped.

Requests are signed: `Typeform-Signature` is `sha256=` and the base64 HMAC-SHA256 of the raw
body, keyed with the webhook's secret.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Mapped,
    Mapping_,
    Option,
    Received,
    Refused,
    email_of,
    from_iso,
    hmac_sha256,
    register,
    same,
    score,
)
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord

HEADER = "typeform-signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(secret.encode(), body)).decode()


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _field(answer: dict[str, Any]) -> dict[str, Any]:
    field = answer.get("field")
    return field if isinstance(field, dict) else {}


def _score_answer(answers: list[dict[str, Any]], ref: str) -> dict[str, Any] | None:
    if ref:
        return next((a for a in answers if _field(a).get("ref") == ref), None)
    for wanted in ("nps", "opinion_scale"):
        for a in answers:
            number = a.get("number")
            if _field(a).get("type") == wanted and isinstance(number, int) and 0 <= number <= 10:
                return a
    return None


def _comment(answers: list[dict[str, Any]], ref: str) -> str:
    if ref:
        found = next((a for a in answers if _field(a).get("ref") == ref), None)
        return str((found or {}).get("text") or "")
    for wanted in ("long_text", "short_text"):
        for a in answers:
            if _field(a).get("type") == wanted and isinstance(a.get("text"), str):
                return str(a["text"])
    return ""


class Typeform(Connector):
    kind = "typeform"
    label = "Typeform"
    secret_help = "the secret set on the form's webhook (Connect > Webhooks > Edit)"
    options = (
        Option("nps_field", "the ref of the field whose answer is the score"),
        Option("comment_field", "the ref of the field whose answer is the comment"),
    )

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        given = request.headers.get(HEADER, "").strip()
        if not given:
            raise Refused(f"no {HEADER} header")
        if not same(given, sign(secret, request.body)):
            raise Refused(f"{HEADER} does not match the body")

    def event_id(self, request: Received, data: Any) -> str:
        if not isinstance(data, dict) or not data.get("event_id"):
            raise Malformed("no event_id")
        return str(data["event_id"])

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        if not isinstance(data, dict):
            raise Malformed("expected a JSON object")
        if data.get("event_type") != "form_response":
            return Mapping_(skipped=1)
        response = data.get("form_response")
        if not isinstance(response, dict) or not response.get("token"):
            raise Malformed("form_response.token (the response's id) is required")
        answers = [a for a in response.get("answers") or [] if isinstance(a, dict)]
        chosen = _score_answer(answers, self.option(options, "nps_field"))
        if chosen is None:
            return Mapping_(skipped=1)
        hidden = _object(response.get("hidden"))
        email = email_of(hidden.get("email")) or next(
            (email_of(a.get("email")) for a in answers if a.get("type") == "email"), None
        )
        if email is None:
            raise Malformed("no email: add a hidden field `email` to the form, or an email field")
        record = SignalRecord(
            source=source,
            key=str(response["token"]),
            kind=SignalKind.NPS,
            occurred_at=from_iso(response.get("submitted_at")),
            contact_email=email,
            value=score(chosen.get("number"), where="the score's answer"),
            text=_comment(answers, self.option(options, "comment_field")),
            payload={"typeform": {"form_id": response.get("form_id"),
                                  "field": _field(chosen).get("ref")}},
        )  # fmt: skip
        return Mapping_([Mapped(record)])


register(Typeform())
