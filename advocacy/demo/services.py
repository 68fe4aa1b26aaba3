"""Load a generated demo program into the database, find it again, and clear it.

Demo data is recognisable: each demo account has an identity from source `demo`, each demo
signal has source `demo`. Rows get explicit ids from the first free one, so contacts and signals
can point at accounts and contacts without reading them back; PostgreSQL's sequences are moved
past them afterwards.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Min

from advocacy.customers.models import Account, AccountIdentity, Contact
from advocacy.demo.generator import DemoProgram
from advocacy.demo.simulation import iter_signals
from advocacy.demo.writers import TableWriter, next_id, reset_sequences
from advocacy.people.models import Role, User
from advocacy.signals.models import Signal

DEMO_SOURCE = "demo"
DEMO_USERNAME = "demo"
# A local demo only: the password is documented so a newcomer can log in at once.
DEMO_PASSWORD = "demo-advocacy"
DELETE_BATCH = 200  # accounts per delete when clearing (contacts and signals cascade)
SIGNAL_DELETE_BATCH = 50_000  # signal ids per delete when clearing

Progress = Callable[[str, int], None]  # (stage, rows just written)


@dataclass(frozen=True)
class DemoResult:
    accounts: int
    contacts: int
    signals: int
    seconds: float


def has_demo_data() -> bool:
    return (
        AccountIdentity.objects.filter(source=DEMO_SOURCE).exists()
        or Signal.objects.filter(source=DEMO_SOURCE).exists()
    )


def clear_demo_data() -> int:
    """Delete every demo account (its contacts and signals cascade) and every demo signal.

    In batches of accounts, through the ORM, so that whatever other tables point at contacts
    are handled by their own `on_delete` and memory stays bounded.
    """
    deleted = 0
    demo_signals = Signal.objects.filter(source=DEMO_SOURCE).only("pk")
    bounds = demo_signals.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is not None:
        for low in range(bounds["low"], bounds["high"] + 1, SIGNAL_DELETE_BATCH):
            with transaction.atomic():
                demo_signals.filter(pk__gte=low, pk__lt=low + SIGNAL_DELETE_BATCH).delete()
    demo_accounts = AccountIdentity.objects.filter(source=DEMO_SOURCE).values_list(
        "account_id", flat=True
    )
    while True:
        batch = list(demo_accounts[:DELETE_BATCH])
        if not batch:
            return deleted
        with transaction.atomic():
            Account.objects.filter(pk__in=batch).delete()
        deleted += len(batch)


def ensure_demo_user() -> User:
    """Create (or reset) the `demo` admin user with the documented demo password."""
    user, _created = User.objects.get_or_create(username=DEMO_USERNAME)
    user.set_password(DEMO_PASSWORD)
    user.role = Role.ADMIN
    user.is_staff = True
    user.is_active = True
    user.first_name, user.last_name = "Demo", "Admin"
    user.email = "demo@example.com"
    user.save()
    return user


def ensure_csms(program: DemoProgram) -> list[int]:
    """Create the program's customer success managers (who cannot log in) and return their ids."""
    ids = []
    unusable = make_password(None)
    for first, last in program.csms:
        username = f"csm.{first}.{last}".lower().replace(" ", "")
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "role": Role.CUSTOMER_SUCCESS,
                "password": unusable,
            },
        )
        ids.append(user.pk)
    return ids


def load_program(
    program: DemoProgram,
    *,
    now: datetime,
    progress: Progress | None = None,
    with_signals: bool = True,
) -> DemoResult:
    """Write the program's accounts, contacts and (unless told not to) signals; count them."""
    started = time.monotonic()
    report = progress or (lambda stage, n: None)
    owners = ensure_csms(program)
    account_base, contact_base = next_id(Account), next_id(Contact)
    totals = {"accounts": 0, "contacts": 0, "signals": 0}

    accounts = TableWriter(
        Account,
        [
            "id", "created_at", "updated_at", "name", "domain", "industry", "region",
            "size_band", "employees", "arr", "products", "use_cases", "competitors_replaced",
            "customer_since", "renewal_date", "owner_id", "nda", "sensitive_industry",
            "competitor_adjacent", "churn_risk",
        ],
    )  # fmt: skip
    account_rows = (
        (
            account_base + a.index, now, now, a.name, a.domain, a.industry, a.region,
            a.size_band, a.employees, a.arr, json.dumps(a.products), json.dumps(a.use_cases),
            json.dumps(a.competitors_replaced), a.customer_since, a.renewal_date,
            owners[a.owner], a.nda, a.sensitive_industry, a.competitor_adjacent, a.churn_risk,
        )
        for a in program.accounts
    )  # fmt: skip
    for count in accounts.write(account_rows):
        totals["accounts"] += count
        report("accounts", count)
    identities = TableWriter(AccountIdentity, ["account_id", "source", "external_id"])
    identity_rows = (
        (account_base + a.index, DEMO_SOURCE, f"acct-{a.index + 1}") for a in program.accounts
    )
    for _count in identities.write(identity_rows):
        pass

    contacts = TableWriter(
        Contact,
        [
            "id", "created_at", "updated_at", "account_id", "email", "first_name", "last_name",
            "title", "persona", "phone", "left_company_at", "opted_out_at",
        ],
    )  # fmt: skip
    contact_rows = (
        (
            contact_base + c.index, now, now, account_base + c.account, c.email, c.first_name,
            c.last_name, c.title, c.persona, c.phone, c.left_company_at, c.opted_out_at,
        )
        for c in program.contacts()
    )  # fmt: skip
    for count in contacts.write(contact_rows):
        totals["contacts"] += count
        report("contacts", count)
    reset_sequences(Account, AccountIdentity, Contact)
    if not with_signals:
        return DemoResult(**totals, seconds=round(time.monotonic() - started, 1))

    signals = TableWriter(
        Signal,
        [
            "source", "key", "kind", "account_id", "contact_id", "occurred_at", "value",
            "text", "payload", "received_at",
        ],
    )  # fmt: skip
    for count in signals.write(_signal_rows(program, account_base, contact_base, now)):
        totals["signals"] += count
        report("signals", count)
    return DemoResult(**totals, seconds=round(time.monotonic() - started, 1))


def _signal_rows(
    program: DemoProgram, account_base: int, contact_base: int, now: datetime
) -> Iterator[tuple[Any, ...]]:
    dumps = json.dumps
    for s in iter_signals(program):
        contact_id = None if s.contact is None else contact_base + s.contact.index
        yield (
            DEMO_SOURCE, s.key, s.kind, account_base + s.account.index, contact_id,
            s.occurred_at, s.value, s.text, dumps(s.payload), now,
        )  # fmt: skip
