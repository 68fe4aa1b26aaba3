"""Fixtures for API tests: keys with chosen scopes and a client that sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from advocacy.people.models import ApiKey, Scope


class ApiClient:
    """Django's test client, sending a Bearer key and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        given = dict(headers or {})
        if self.secret is not None:
            given.setdefault("Authorization", f"Bearer {self.secret}")
        return given

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(kw.pop("headers", None)))

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(kw.pop("headers", None)),
        )

    def upload(self, path: str, data: dict[str, Any], **kw: Any) -> Any:
        return self.client.post(path, data, headers=self._headers(kw.pop("headers", None)))


@pytest.fixture
def make_client(member: Any) -> Callable[..., ApiClient]:
    """A client whose key (held by `member`) grants exactly the given scopes."""

    def make(*scopes: str, user: Any = None) -> ApiClient:
        _, secret = ApiKey.issue(user or member, "tests", list(scopes))
        return ApiClient(secret)

    return make


@pytest.fixture
def api(make_client: Callable[..., ApiClient]) -> ApiClient:
    """A client whose key holds every scope."""
    return make_client(*Scope.values)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The persona fixtures hash a password; a slow hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
