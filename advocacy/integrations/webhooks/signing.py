"""Standard Webhooks signing of what we send (the inbound side checks the same scheme:
advocacy.integrations.connectors.standard).

A secret is `whsec_` and the base64 of 24 random bytes. Each request carries `webhook-id` (the
event's `msg_id`: the same on every retry, for the receiver to dedupe), `webhook-timestamp`
(Unix seconds, of this attempt) and `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of
`<id>.<timestamp>.<body>` keyed with the secret's bytes.
"""

from __future__ import annotations

import base64
import secrets

from advocacy.integrations.connectors.standard import PREFIX, sign


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }
