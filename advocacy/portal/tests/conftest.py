"""The portal's test world: a promoter with a sent ask, and a client that holds her portal."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.plays import load_playbook
from advocacy.messaging.links import link_path
from advocacy.people.models import User
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.signals.models import Signal, SignalKind

_serial = itertools.count(1)


def csm() -> User:
    """The customer success manager who owns the accounts (the program asks only advocates
    whose account has one)."""
    return User.objects.get_or_create(
        username="csm", defaults={"email": "csm@example.com", "role": "cs"}
    )[0]


def signal(kind: str, at: datetime, *, account: Account, contact: Contact | None = None,
           value: float | None = None) -> None:  # fmt: skip
    Signal.objects.create(
        source="test", key=f"k{next(_serial)}", kind=kind, account=account, contact=contact,
        occurred_at=at, value=value,
    )  # fmt: skip


def program_account(name: str, at: datetime, **fields: Any) -> Account:
    """An account whose people the program may ask: a customer since 2024, owned by a CSM,
    healthy (85) three days before `at`."""
    fields.setdefault("domain", f"{name.lower()}-{next(_serial)}.example")
    account = Account.objects.create(
        name=name, customer_since=date(2024, 1, 1), owner=csm(), **fields
    )
    signal(SignalKind.HEALTH_SCORE, at - timedelta(days=3), account=account, value=85)
    return account


def make_contact(account: Account, first: str, last: str = "") -> Contact:
    email = f"{first.lower()}.{next(_serial)}@{account.domain}"
    return Contact.objects.create(account=account, email=email, first_name=first, last_name=last)


def promoter(account: Account, first: str, last: str, at: datetime) -> Contact:
    """An active contact who answered NPS 10 at `at`."""
    contact = make_contact(account, first, last)
    signal(SignalKind.NPS, at, account=account, contact=contact, value=10)
    signal(SignalKind.ACTIVITY, at - timedelta(days=1), account=account, contact=contact)
    return contact


@dataclass
class World:
    now: datetime
    ann: Contact  # a promoter, ready for every low-effort ask
    bob: Contact  # another advocate of the same account
    testimonial: Ask  # sent to Ann by the renewal play, whose fallback is a review
    csm: Any


def ask_for(contact: Contact, code: str, *, play: str = "", status: str = AskStatus.SENT,
            moment: str = "", now: datetime | None = None, **fields: Any) -> Ask:  # fmt: skip
    """An ask opened as the engine opens them, owned by the account's CSM."""
    now = now or timezone.now()
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        moment or f"test:{code}:{now.isoformat()}",
        play=play,
        status=status,
        owner_id=contact.account.owner_id,
        owner_role="cs",
        **fields,
    )
    result = open_asks([request], now=now)
    assert result.opened, f"{code} for {contact.email} was capped"
    return result.opened[0]


@pytest.fixture
def world(db: None) -> World:
    now = timezone.now()
    load_playbook(now=now - timedelta(days=1), learn=False)
    account = program_account("Acme", now, domain="acme.example", industry="Manufacturing")
    ann = promoter(account, "Ann", "Archer", now - timedelta(hours=2))
    bob = promoter(account, "Bob", "Baker", now - timedelta(hours=2))
    testimonial = ask_for(
        ann,
        "testimonial_quote",
        play="renewal-testimonial",
        moment="signal:renewal",
        due_at=now + timedelta(days=7),
        now=now - timedelta(hours=1),
    )
    return World(now=now, ann=ann, bob=bob, testimonial=testimonial, csm=csm())


def enter(client: Client, contact: Contact, *, ask_id: int | None = None) -> Any:
    """Open the portal as `contact` the way an advocate does: the link, then its button."""
    path = link_path(contact.pk, ask_id=ask_id)
    return client.post(path)


@pytest.fixture
def ann_client(world: World) -> Client:
    client = Client()
    response = enter(client, world.ann)
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def outsider_contact(db: None) -> Contact:
    return make_contact(program_account("Globex", timezone.now()), "Olive")
