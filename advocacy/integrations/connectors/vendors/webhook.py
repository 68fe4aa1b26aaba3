"""The generic signed webhook: any system that can send Standard Webhooks (a CS platform, an
internal service, a workflow tool) sends signals in our own shape.

The body is one signal or `{"signals": [...]}`, each:

    {"id": "unique per sender", "kind": "nps", "email": "ada@example.com",
     "external_id": "crm-42", "value": 9, "text": "Great support",
     "occurred_at": "2026-11-30T10:00:00Z"}

`kind` is one of the signal kinds (docs/csv-import.md lists them); `email` or `external_id`
(a contact identity of source `identity_source`, default the connection's name) names the
person. The signal's source is `webhook:<connection name>`, its key the `id`.
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
)
from advocacy.signals.records import SignalRecord

MAX_SIGNALS = 1000


class Webhook(Connector):
    kind = "webhook"
    label = "Signed webhook (Standard Webhooks)"
    secret_help = "the endpoint's signing secret, whsec_ followed by base64"
    options = (
        Option("identity_source", "the source of the contact identities `external_id` names"),
    )

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        standard.verify(request.headers, request.body, secret, now=now)

    def event_id(self, request: Received, data: Any) -> str:
        return request.headers.get("webhook-id", "")

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        items = data.get("signals") if isinstance(data, dict) and "signals" in data else [data]
        if not isinstance(items, list) or not items:
            raise Malformed('expected a signal object, or {"signals": [...]} with at least one')
        if len(items) > MAX_SIGNALS:
            raise Malformed(f"at most {MAX_SIGNALS} signals in one request")
        identities = options.get("identity_source") or source.removeprefix("webhook:")
        out = []
        for n, item in enumerate(items):
            where = f"signal {n + 1}"
            if not isinstance(item, dict):
                raise Malformed(f"{where}: not an object")
            key, kind = item.get("id"), item.get("kind")
            if not isinstance(key, str | int) or isinstance(key, bool) or str(key) == "":
                raise Malformed(f"{where}: `id` is required")
            if not isinstance(kind, str):
                raise Malformed(f"{where}: `kind` is required")
            email = email_of(item.get("email"))
            external = item.get("external_id")
            if email is None and not external:
                raise Malformed(f"{where}: `email` or `external_id` is required")
            text = item.get("text") or ""
            if not isinstance(text, str):
                raise Malformed(f"{where}: `text` is not text")
            out.append(
                Mapped(
                    SignalRecord(
                        source=source,
                        key=str(key)[:255],
                        kind=kind,
                        occurred_at=from_iso(item.get("occurred_at")),
                        contact_email=email,
                        contact_external_id=(identities, str(external)) if external else None,
                        value=item.get("value"),
                        text=text,
                        payload={"webhook": item},
                    )
                )
            )
        return Mapping_(out)


register(Webhook())
