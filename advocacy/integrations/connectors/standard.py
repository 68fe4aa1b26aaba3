"""Standard Webhooks (standardwebhooks.com): the signature scheme Formbricks and the generic
webhook use. No maintained Python package implements it on our package index, so this is the
spec's verification, in full:

- headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
  space-separated list of `v1,<base64 signature>` (other versions are ignored);
- the signature is HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the secret's bytes: the
  base64 after `whsec_` (a secret without the prefix is taken as base64 too);
- a timestamp more than TOLERANCE away from now, either way, is refused (a replay).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from advocacy.integrations.connectors.registry import Refused, hmac_sha256, same

TOLERANCE = timedelta(minutes=5)
PREFIX = "whsec_"


def key_of(secret: str) -> bytes:
    text = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("the connection's secret is not a Standard Webhooks secret") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header a sender writes (tests and the benchmark use it)."""
    digest = hmac_sha256(key_of(secret), f"{msg_id}.{timestamp}.".encode() + body)
    return "v1," + base64.b64encode(digest).decode()


def verify(headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime) -> None:
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    given = headers.get("webhook-signature", "")
    if not msg_id or not stamp or not given:
        raise Refused("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        at = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise Refused("webhook-timestamp is not a Unix time") from None
    if abs(now - at) > TOLERANCE:
        raise Refused("webhook-timestamp is more than 5 minutes from now")
    expected = sign(secret, msg_id, int(stamp), body).split(",", 1)[1]
    for part in given.split():
        version, _, signature = part.partition(",")
        if version == "v1" and same(signature, expected):
            return
    raise Refused("no valid v1 signature in webhook-signature")
