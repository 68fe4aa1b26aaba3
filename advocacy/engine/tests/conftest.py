"""Fixtures of the engine tests about the pipeline: a contact with an account owner, sent asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import Ask, AskStatus, AskType

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def ada(member: Any) -> Contact:
    load_playbook(now=NOW)
    account = Account.objects.create(name="Acme", domain="acme.example", owner=member)
    return Contact.objects.create(account=account, email="ada@acme.example")


def sent_ask(contact: Contact, code: str = "case_study", play: str = "expansion-case-study") -> Ask:
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        f"signal:{code}",
        play=play,
        status=AskStatus.SENT,
        owner_id=contact.account.owner_id,
        owner_role="cs",
        channel="csm",
    )
    return open_asks([request], now=NOW, policy=DEFAULT_POLICY).opened[0]
