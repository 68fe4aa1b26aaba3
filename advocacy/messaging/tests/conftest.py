"""A real SMTP server on the loopback (aiosmtpd) that keeps what it accepts, and the program it
serves: a promoter of a company owned by a CSM, the shipped playbook loaded."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message as MimeMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from advocacy.customers.models import Account, Contact
from advocacy.engine.plays import load_playbook
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)  # noon UTC: outside quiet hours in London


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """What the server accepted, and how it should answer next (`rcpt`, `data`: a reply such
    as "550 5.1.1 no such user"; `vanish`: drop the connection at DATA)."""

    received: list[MimeMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    rcpt: str | None = None
    data: str | None = None
    vanish: bool = False
    port: int = 0
    peers: set[Any] = field(default_factory=set)  # the conversations' client ends

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt:
            return self.rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.vanish:
            server.transport.close()  # the connection drops mid-conversation
            await asyncio.sleep(0)
            return "421 gone"
        if self.data:
            return self.data
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.peers.add(session.peer)
        self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """A live SMTP server on 127.0.0.1, and the settings that send to it."""
    sink = Sink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "advocacy@program.example"
    settings.SITE_URL = "https://advocacy.example"
    settings.QUIET_HOURS = None
    try:
        yield sink
    finally:
        controller.stop()


def promoter(
    owner: Any, *, email: str = "ada@acme.example", nps: int = 10, at: dt.datetime = NOW
) -> Contact:
    """A contact the NPS play asks: their company a customer since 2024 with good health, owned
    by `owner`, active lately, who answered `nps` five hours before `at`."""
    account, _ = Account.objects.get_or_create(
        domain="acme.example",
        defaults={"name": "Acme", "customer_since": dt.date(2024, 1, 1), "owner": owner},
    )
    contact = Contact.objects.create(
        account=account, email=email, first_name="Ada", last_name="Lovelace", persona="admin"
    )
    Signal.objects.bulk_create(
        [
            Signal(source="t", key=f"health-{contact.pk}", kind="health_score", account=account,
                   occurred_at=at - dt.timedelta(days=3), value=85),
            Signal(source="t", key=f"act-{contact.pk}", kind="activity", account=account,
                   contact=contact, occurred_at=at - dt.timedelta(days=2)),
        ]
    )  # fmt: skip
    return contact


@pytest.fixture
def playbook(db: None) -> None:
    load_playbook(now=NOW)
