"""Formbricks: survey responses, as its webhooks send them (Standard Webhooks signatures).

Formbricks posts `{"webhookId", "event", "data": <response>}` for `responseCreated`,
`responseUpdated` and `responseFinished`; the response's `data` maps each question's id to
its answer, and a response grows as the person answers (each event carries all of it so far).
The response's `id` is the signal's key and its `updatedAt` the answer's revision: a later
event rewrites the same answer. The score is the answer to `--option nps_question=ID`; by
default, the first answer that is a whole number from 0 to 10. The comment is the answer to
`--option comment_question=ID`, by default none. An event without a score yet is skipped.

The person is `contactAttributes.email`, else `contact.id` as a contact identity of source
`formbricks`. Requests are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature`) with the webhook's `whsec_` secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Mapped,
    Mapping_,
    Option,
    Received,
    email_of,
    from_iso,
    register,
    score,
)
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord

EVENTS = ("responseCreated", "responseUpdated", "responseFinished")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_score(answers: dict[str, Any]) -> Any:
    for value in answers.values():
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
            return value
    return None


class Formbricks(Connector):
    kind = "formbricks"
    label = "Formbricks"
    secret_help = "the webhook's signing secret (whsec_...), shown when the webhook is created"
    options = (
        Option("nps_question", "the id of the question whose answer is the score"),
        Option("comment_question", "the id of the question whose answer is the comment"),
    )

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        standard.verify(request.headers, request.body, secret, now=now)

    def event_id(self, request: Received, data: Any) -> str:
        return request.headers.get("webhook-id", "")

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        if not isinstance(data, dict):
            raise Malformed("expected a JSON object")
        if data.get("event") not in EVENTS:
            return Mapping_(skipped=1)
        response = data.get("data")
        if not isinstance(response, dict) or not response.get("id"):
            raise Malformed("data.id (the response) is required")
        answers = _object(response.get("data"))
        question = self.option(options, "nps_question")
        value = answers.get(question) if question else _first_score(answers)
        if value in (None, ""):
            return Mapping_(skipped=1)
        comment_question = self.option(options, "comment_question")
        comment = answers.get(comment_question, "") if comment_question else ""
        attributes = _object(response.get("contactAttributes"))
        contact = _object(response.get("contact"))
        email = email_of(attributes.get("email"))
        person_id = str(contact.get("id") or "")
        if email is None and not person_id:
            raise Malformed("the response has no contactAttributes.email and no contact.id")
        record = SignalRecord(
            source=source,
            key=str(response["id"]),
            kind=SignalKind.NPS,
            occurred_at=from_iso(response.get("createdAt")),
            contact_email=email,
            contact_external_id=("formbricks", person_id) if person_id else None,
            value=score(value, where="the score's answer"),
            text=comment if isinstance(comment, str) else "",
            payload={"formbricks": {"survey_id": response.get("surveyId"),
                                    "finished": response.get("finished")}},
        )  # fmt: skip
        revision = from_iso(response.get("updatedAt") or response.get("createdAt")).timestamp()
        return Mapping_([Mapped(record, revision)])


register(Formbricks())
