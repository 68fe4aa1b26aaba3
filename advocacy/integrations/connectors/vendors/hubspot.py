"""HubSpot: contact property changes, from an app's webhook subscriptions (v3 signatures).

HubSpot posts a batch: a JSON array of up to 100 events, each with `eventId`,
`subscriptionType`, `objectId` (the contact's HubSpot id), `occurredAt` (milliseconds),
`propertyName` and `propertyValue`. A `contact.propertyChange` of the property named by
`--option nps_property=NAME` (default `hs_feedback_last_nps_rating`) is an `nps` signal, keyed
by the event's id, for the contact whose identity of source `hubspot` is the `objectId`
(contacts imported with their HubSpot id). Every other event of the batch is skipped. HubSpot
retries a batch with the same events (only `attemptNumber` changes): the inbox's dedupe key is
made of the batch's event ids.

Requests are signed: `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256 of method + url +
body + `X-HubSpot-Request-Timestamp`, keyed with the app's client secret; a timestamp more than
five minutes old is refused. The url is the connection's, as ADVOCACY_SITE_URL names it: set
that to the address HubSpot calls.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from advocacy.integrations.connectors.registry import (
    Connector,
    Malformed,
    Mapped,
    Mapping_,
    Option,
    Received,
    Refused,
    from_unix,
    hmac_sha256,
    register,
    same,
    score,
)
from advocacy.signals.models import SignalKind
from advocacy.signals.records import SignalRecord

SIGNATURE, TIMESTAMP = "x-hubspot-signature-v3", "x-hubspot-request-timestamp"
TOLERANCE = timedelta(minutes=5)
MAX_EVENTS = 1000


def sign(secret: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    message = method.encode() + url.encode() + body + timestamp.encode()
    return base64.b64encode(hmac_sha256(secret.encode(), message)).decode()


class HubSpot(Connector):
    kind = "hubspot"
    label = "HubSpot"
    secret_help = "the app's client secret (the app's Auth settings)"
    options = (
        Option(
            "nps_property",
            "the contact property whose changes are NPS answers",
            "hs_feedback_last_nps_rating",
        ),
    )

    def verify(self, request: Received, secret: str, *, now: datetime) -> None:
        given, stamp = request.headers.get(SIGNATURE, ""), request.headers.get(TIMESTAMP, "")
        if not given or not stamp:
            raise Refused(f"{SIGNATURE} and {TIMESTAMP} are required")
        try:
            at = datetime.fromtimestamp(int(stamp) / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise Refused(f"{TIMESTAMP} is not a time in milliseconds") from None
        if abs(now - at) > TOLERANCE:
            raise Refused(f"{TIMESTAMP} is more than 5 minutes from now")
        if not same(given, sign(secret, request.method, request.url, request.body, stamp)):
            raise Refused(f"{SIGNATURE} does not match the request")

    def event_id(self, request: Received, data: Any) -> str:
        if not isinstance(data, list) or not data:
            raise Malformed("expected a JSON array of events")
        ids = sorted(str(e.get("eventId")) for e in data if isinstance(e, dict))
        if len(ids) != len(data) or "None" in ids:
            raise Malformed("every event needs an eventId")
        return "batch:" + hashlib.sha256(",".join(ids).encode()).hexdigest()

    def map(self, data: Any, *, source: str, options: Mapping[str, str]) -> Mapping_:
        if not isinstance(data, list):
            raise Malformed("expected a JSON array of events")
        if len(data) > MAX_EVENTS:
            raise Malformed(f"at most {MAX_EVENTS} events in one request")
        wanted = self.option(options, "nps_property")
        out, skipped = [], 0
        for n, event in enumerate(data):
            if not isinstance(event, dict):
                raise Malformed(f"event {n + 1}: not an object")
            if (
                event.get("subscriptionType") != "contact.propertyChange"
                or event.get("propertyName") != wanted
                or event.get("propertyValue") in (None, "")
            ):
                skipped += 1
                continue
            if not event.get("eventId") or not event.get("objectId"):
                raise Malformed(f"event {n + 1}: eventId and objectId are required")
            record = SignalRecord(
                source=source,
                key=str(event["eventId"]),
                kind=SignalKind.NPS,
                occurred_at=from_unix(event.get("occurredAt"), millis=True),
                contact_external_id=("hubspot", str(event["objectId"])),
                value=score(event["propertyValue"], where=f"event {n + 1}: propertyValue"),
                payload={"hubspot": {k: event.get(k) for k in
                         ("portalId", "subscriptionId", "propertyName", "changeSource")}},
            )  # fmt: skip
            out.append(Mapped(record))
        return Mapping_(out, skipped)


register(HubSpot())
