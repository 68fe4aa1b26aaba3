"""Fixtures of the web tests: a logged-in client, and small builders for customers and signals."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from advocacy.customers.models import Account, Contact
from advocacy.people.models import User
from advocacy.signals.models import Signal

_serial = itertools.count(1)


def csm() -> User:
    """A customer success manager to own accounts: the program asks only advocates whose
    account has an owning CSM (`make_account(..., owner=csm())`)."""
    return User.objects.get_or_create(
        username="csm", defaults={"email": "csm@example.com", "role": "cs"}
    )[0]


def make_account(name: str = "", **fields: Any) -> Account:
    n = next(_serial)
    name = name or f"Account {n}"
    fields.setdefault("domain", f"{name.lower().replace(' ', '-')}-{n}.example")
    return Account.objects.create(name=name, **fields)


def make_contact(account: Account, first_name: str = "", **fields: Any) -> Contact:
    n = next(_serial)
    first_name = first_name or f"Person{n}"
    fields.setdefault("email", f"{first_name.lower()}.{n}@{account.domain or 'example.com'}")
    return Contact.objects.create(account=account, first_name=first_name, **fields)


def make_signal(
    kind: str,
    occurred_at: datetime,
    *,
    contact: Contact | None = None,
    account: Account | None = None,
    value: float | None = None,
    text: str = "",
) -> Signal:
    if account is None:
        assert contact is not None
        account = contact.account
    return Signal.objects.create(
        source="test",
        key=f"k{next(_serial)}",
        kind=kind,
        contact=contact,
        account=account,
        occurred_at=occurred_at,
        value=value,
        text=text,
    )


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings: Any) -> None:
    """Long work goes to a job; here it runs as it is queued (the ImmediateBackend), so the
    job's page, or the page that started it, shows the result at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """PBKDF2 costs half a second per login or user; tests need no stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_client(client: Client, member: Any) -> Client:
    """A client logged in as a customer success manager."""
    client.force_login(member)
    return client


@pytest.fixture
def admin_client(client: Client, owner: Any) -> Client:
    """A client logged in as an admin: the playbook, routing, checklists, the scorecard."""
    client.force_login(owner)
    return client


@pytest.fixture
def marketing_client(client: Client, marketer: Any) -> Client:
    """A client logged in as a customer marketer: content from draft to published."""
    client.force_login(marketer)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}
