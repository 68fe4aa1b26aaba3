"""Fixtures for API tests: keys with chosen scopes, a client that sends them, engine data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from advocacy.customers.models import Account, Contact
from advocacy.engine.models import Play
from advocacy.engine.plays import load_playbook
from advocacy.people.models import ApiKey, Scope, User
from advocacy.signals.models import Signal


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

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.patch(
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(kw.pop("headers", None)),
        )

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.put(
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(kw.pop("headers", None)),
        )

    def upload(self, path: str, data: dict[str, Any], **kw: Any) -> Any:
        return self.client.post(path, data, headers=self._headers(kw.pop("headers", None)))


@pytest.fixture
def make_client(owner: Any) -> Callable[..., ApiClient]:
    """A client whose key (held by `owner`, an admin, unless `user` is given) grants exactly
    the given scopes."""

    def make(*scopes: str, user: Any = None) -> ApiClient:
        _, secret = ApiKey.issue(user or owner, "tests", list(scopes))
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
def _jobs_run_at_once(settings: Any) -> None:
    """Long work answers 202 with its job; here the job runs within the request, as the
    ImmediateBackend runs tasks, so a test reads its result at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The persona fixtures hash a password; a slow hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def playbook() -> None:
    """The shipped playbook, loaded; the promoter play keeps no control group, so every
    eligible promoter is asked and counts are exact."""
    load_playbook(now=NOW)
    play = Play.objects.get(name="nps-promoter-review")
    play.definition = {**play.definition, "holdout": 0}
    play.save(update_fields=["definition"])


def csm() -> User:
    """The customer success manager who owns the accounts `customer` makes."""
    return User.objects.get_or_create(
        username="csm", defaults={"email": "csm@example.com", "role": "cs"}
    )[0]


def customer(
    email: str,
    *,
    nps: float | None = 10,
    active: bool = True,
    health: float | None = 85,
    owned: bool = True,
    at: dt.datetime = NOW,
    **fields: Any,
) -> Contact:
    """A contact of its own account (a customer since 2025, owned by `csm`), with an NPS answer
    five hours before `at`, product activity two days before and an account health of 85 three
    days before: what the program's gate and the promoter play want."""
    domain = email.split("@")[1]
    account, created = Account.objects.get_or_create(
        domain=domain,
        defaults={
            "name": domain.split(".")[0].title(),
            "customer_since": dt.date(2025, 1, 1),
            "owner": csm() if owned else None,
        },
    )
    contact = Contact.objects.create(account=account, email=email, **fields)
    if nps is not None:
        signal(contact, "nps", at - dt.timedelta(hours=5), nps)
    if active:
        signal(contact, "activity", at - dt.timedelta(days=2))
    if created and health is not None:
        signal(contact, "health_score", at - dt.timedelta(days=3), health, account_wide=True)
    return contact


def signal(
    contact: Contact,
    kind: str,
    at: dt.datetime,
    value: float | None = None,
    *,
    account_wide: bool = False,
) -> Signal:
    """A signal of the contact (with `account_wide`, of their account: health, expansion...)."""
    return Signal.objects.create(
        source="test",
        key=f"{kind}-{contact.pk}-{at.isoformat()}",
        kind=kind,
        account=contact.account,
        contact=None if account_wide else contact,
        occurred_at=at,
        value=value,
    )
