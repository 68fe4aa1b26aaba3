"""Vendors' signing secrets, encrypted at rest (Fernet, from the `cryptography` package).

The key is derived from ADVOCACY_SECRET_KEY, so a database copied without the settings holds no
usable secret. Rotating the secret key makes the stored secrets unreadable: each connection's
secret must then be set again (`advocacy connectors add` with the same name after `remove`).
A secret is decrypted only to check a request's signature; it is never shown or returned.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was sealed under another ADVOCACY_SECRET_KEY."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"advocacy.connectors.vault:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str) -> str:
    if not secret:
        return ""
    return _fernet(settings.SECRET_KEY).encrypt(secret.encode()).decode("ascii")


@lru_cache(maxsize=256)
def _open(sealed: str, secret_key: str) -> str:
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the connection's secret was stored under another ADVOCACY_SECRET_KEY: set it again"
        ) from exc


def unseal(sealed: str) -> str:
    """The secret in clear (cached per process: decrypting on every request costs)."""
    if not sealed:
        return ""
    return _open(sealed, settings.SECRET_KEY)
