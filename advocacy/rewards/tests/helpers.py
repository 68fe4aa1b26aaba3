"""Advocates and completed activities for the rewards tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.services import advance_ask
from advocacy.pipeline.tests.factories import make_ask, make_contact

# Mid-quarter (2026Q2 runs April to June), so a whole quarter of activities fits before it.
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def complete(contact: Contact, code: str = "review", *, at: dt.datetime = NOW) -> Ask:
    """An activity of `contact` completed at `at`, through the pipeline (so its hooks run)."""
    ask = make_ask(code, status=AskStatus.ACCEPTED, contact=contact)
    return advance_ask(ask, AskStatus.COMPLETED, actor=None, now=at)


def advocate(**fields: Any) -> Contact:
    contact = make_contact()
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.save()
    return contact
