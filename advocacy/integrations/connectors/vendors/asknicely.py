"""AskNicely: survey responses, as its Webhooks app sends them.

AskNicely posts a response as one JSON object (`response_id`, `person_id`, `email`, `answer`
the 0-10 score, `comment`, `responded` the Unix time, `count`...) and posts it again on every
change (a comment added, a score changed, a note or tag), each time with a higher `count`.
The response is one signal, keyed by `response_id`; the highest `count` seen is the answer kept
(value and comment); a lower or equal one changes nothing.

AskNicely does not sign its webhooks: the connection's url, whose token is 256 random bits,
is what authenticates them, so keep it as secret as a password. The person is matched by
`email`, else by `person_id` as a contact identity of source `asknicely`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Mapped,
    Mapping_,
    Received,
    email_of,
    from_unix,
    register,
    score,
)
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord


def _count(data: dict[str, Any]) -> int:
    value = data.get("count", 0)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise Malformed(f"count is not a number: {value!r}") from None


class AskNicely(Connector):
    kind = "asknicely"
    label = "AskNicely"
    secret = "none"

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        return None  # unsigned: the url's token authenticates the request

    def event_id(self, request: Received, data: Any) -> str:
        if not isinstance(data, dict) or not data.get("response_id"):
            raise Malformed("no response_id")
        return f"{data['response_id']}:{_count(data)}"

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        if not isinstance(data, dict) or not data.get("response_id"):
            raise Malformed("response_id is required")
        if data.get("answer") in (None, ""):
            return Mapping_(skipped=1)  # sent, not answered yet
        email = email_of(data.get("email"))
        person_id = str(data.get("person_id") or "")
        if email is None and not person_id:
            raise Malformed("the response has neither an email nor a person_id")
        comment = data.get("comment") or ""
        record = SignalRecord(
            source=source,
            key=str(data["response_id"]),
            kind=SignalKind.NPS,
            occurred_at=from_unix(data.get("responded") or data.get("sent")),
            contact_email=email,
            contact_external_id=("asknicely", person_id) if person_id else None,
            value=score(data.get("answer"), where="answer"),
            text=comment if isinstance(comment, str) else "",
            payload={"asknicely": {k: data.get(k) for k in
                     ("response_id", "count", "survey_template", "segment")}},
        )  # fmt: skip
        return Mapping_([Mapped(record, float(_count(data)))])


register(AskNicely())
