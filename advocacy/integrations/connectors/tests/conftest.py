"""Fixtures of the connectors' tests: a known contact, tasks run as they are queued, and a
helper that adds a connection and posts to its real url through Django's test client."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from advocacy.customers.models import Account, Contact, ContactIdentity
from advocacy.integrations.connectors.services import add_connection

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def ada(db: Any) -> Contact:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    contact = Contact.objects.create(account=acme, email="ada@acme.com")
    return contact


@pytest.fixture
def identity(ada: Contact) -> Any:
    def make(source: str, external_id: str) -> ContactIdentity:
        return ContactIdentity.objects.create(contact=ada, source=source, external_id=external_id)

    return make


class Hook:
    """A connection and its url's path, and a way to post bytes to it."""

    def __init__(self, kind: str, name: str, secret: str, options: dict[str, str]) -> None:
        self.connection, self.url = add_connection(
            kind, name, secret=secret, options=options, actor=None, now=timezone.now()
        )
        self.path = urlsplit(self.url).path
        self.client = Client()

    def post(self, body: bytes | dict[str, Any] | list[Any], **headers: str) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        # The mapping is queued after commit; the test's transaction never commits.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                self.path, data=raw, content_type="application/json", headers=headers
            )


@pytest.fixture
def hook(db: Any) -> Any:
    def make(kind: str, *, name: str = "", secret: str = "", **options: str) -> Hook:
        return Hook(kind, name or kind, secret, options)

    return make
