"""Eight processes sending the same batches at once: no server error, no duplicate row.

Each worker is its own OS process with its own connection to the same PostgreSQL test database
(forked, see racing.py). Every row of a batch is created by exactly one of them; the others count it
unchanged, and a changed batch is counted updated by exactly one. SQLite takes its write lock
at BEGIN (one writer at a time), so there is no race to test there.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client

from advocacy.api.tests.racing import Answer, Call, race
from advocacy.customers.models import Account, AccountIdentity, Contact, ContactIdentity
from advocacy.people.models import ApiKey, Scope
from advocacy.signals.models import ImportRowError, ImportRun

WORKERS = 8
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def send(postgres_only: None, member: Any, settings: Any, tmp_path: Any) -> Any:
    """Post `calls` from WORKERS processes at once; each worker's answers."""
    settings.MEDIA_ROOT = tmp_path
    _, secret = ApiKey.issue(member, "race", list(Scope.values))
    # Load the URLs and the API once here rather than in every worker.
    assert (
        Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/accounts").status_code
        == 200
    )

    def run(calls: list[Call]) -> list[list[Answer]]:
        return race(calls, workers=WORKERS, secret=secret)

    return run


def statuses(answers: list[list[Answer]], call: int) -> Counter[int]:
    return Counter(a[call].status for a in answers)


def totals(answers: list[list[Answer]], call: int) -> dict[str, int]:
    keys = ("created", "updated", "unchanged")
    return {k: sum(a[call].body[k] for a in answers) for k in keys}


def duplicated_names() -> list[str]:
    names = Counter(Account.objects.values_list("name", flat=True))
    return sorted(name for name, n in names.items() if n > 1)


def accounts_by_domain(industry: str) -> list[dict[str, Any]]:
    """Accounts with a domain (half of them with an external id too): each key races."""
    return [
        {
            "name": f"Domain Co {i}",
            "domain": f"domain{i}.example",
            "external_ids": [{"source": "crm", "id": f"d{i}"}] if i % 2 == 0 else [],
            "industry": industry,
        }
        for i in range(40)
    ]


def accounts_without_domain(industry: str) -> list[dict[str, Any]]:
    """Found by an external id alone, or by name alone: created under the name lock."""
    by_external_id = [
        {
            "name": f"Crm Co {i}",
            "external_ids": [{"source": "crm", "id": f"x{i}"}],
            "industry": industry,
        }
        for i in range(30)
    ]
    by_name = [{"name": f"Bare Co {i}", "industry": industry} for i in range(30)]
    return by_external_id + by_name


def test_eight_processes_upserting_the_same_accounts(send):
    every = accounts_by_domain("Fintech") + accounts_without_domain("Fintech")
    calls = [
        Call("/api/accounts/batch", {"items": accounts_by_domain("Software")}),
        Call("/api/accounts/batch", {"items": accounts_without_domain("Software")}),
        Call("/api/accounts/batch", {"items": every}),
    ]
    answers = send(calls)
    for call in (0, 1, 2):
        assert statuses(answers, call) == {201: WORKERS}, [a[call] for a in answers]
    assert totals(answers, 0) == {"created": 40, "updated": 0, "unchanged": 280}
    assert totals(answers, 1) == {"created": 60, "updated": 0, "unchanged": 420}
    assert totals(answers, 2) == {"created": 0, "updated": 100, "unchanged": 700}
    assert (Account.objects.count(), duplicated_names()) == (100, [])
    assert AccountIdentity.objects.count() == 50
    assert set(Account.objects.values_list("industry", flat=True)) == {"Fintech"}
    pk_of = dict(Account.objects.values_list("name", "pk"))
    assert {tuple(a[2].body["ids"]) for a in answers} == {
        tuple(pk_of[item["name"]] for item in every)
    }


def contact_items(title: str) -> list[dict[str, Any]]:
    """Found by the email's domain, by a domain given, by an account's external id."""
    by_email = [
        {"email": f"p{i}@acme.example", "external_ids": [{"source": "crm", "id": f"c{i}"}]}
        for i in range(40)
    ]
    by_domain = [
        {
            "email": f"p{i}@globex.example",
            "account": {"domain": "globex.example"},
            "external_ids": [{"source": "crm", "id": f"c{i}"}],
        }
        for i in range(40, 70)
    ]
    by_external_id = [
        {"email": f"p{i}@initech.example", "account": {"external_id": {"source": "crm", "id": "i"}}}
        for i in range(70, 100)
    ]
    return [{**item, "title": title} for item in by_email + by_domain + by_external_id]


def test_eight_processes_upserting_the_same_new_contacts(send):
    Account.objects.create(name="Acme", domain="acme.example")
    Account.objects.create(name="Globex", domain="globex.example")
    initech = Account.objects.create(name="Initech")
    AccountIdentity.objects.create(account=initech, source="crm", external_id="i")
    calls = [
        Call("/api/contacts/batch", {"items": contact_items("Engineer")}),
        Call("/api/contacts/batch", {"items": contact_items("CTO")}),
    ]
    answers = send(calls)
    assert statuses(answers, 0) == {201: WORKERS}, [a[0] for a in answers]
    assert totals(answers, 0) == {"created": 100, "updated": 0, "unchanged": 700}
    assert statuses(answers, 1) == {201: WORKERS}, [a[1] for a in answers]
    assert totals(answers, 1) == {"created": 0, "updated": 100, "unchanged": 700}
    assert Contact.objects.count() == 100
    assert ContactIdentity.objects.count() == 70
    assert set(Contact.objects.values_list("title", flat=True)) == {"CTO"}
    assert Counter(Contact.objects.values_list("account__name", flat=True)) == {
        "Acme": 40,
        "Globex": 30,
        "Initech": 30,
    }


def csv_file(header: str, lines: list[str]) -> dict[str, tuple[str, bytes]]:
    return {"file": ("upload.csv", "\n".join([header, *lines, ""]).encode())}


ACCOUNTS = "name,domain,external_id,industry"
CONTACTS = "email,first_name,external_id,account_name,account_domain,account_external_id"


def test_eight_processes_importing_the_same_files(send):
    accounts_by_domain = [
        f"Domain Co {i},domain{i}.example,{'d' + str(i) if i % 2 else ''},Software"
        for i in range(20)
    ]
    accounts_without_domain = [f"Crm Co {i},,x{i},Software" for i in range(20)] + [
        f"Bare Co {i},,,Software" for i in range(20)
    ]
    # Contacts of the imported accounts and of new companies named by domain: every key races.
    contacts_by_domain = [f"a{i}@domain{i}.example,Ada,c{i},,," for i in range(20)] + [
        f"b{i}@new{i % 5}.example,Bob,,New Dom Co {i % 5},new{i % 5}.example," for i in range(20)
    ]
    # Contacts of new companies named by an id or by name alone: created under the name lock.
    contacts_without_domain = [
        f"c{i}@crm{i % 5}.example,Cy,,New Crm Co {i % 5},,nx{i % 5}" for i in range(10)
    ] + [f"d{i}@mail.example,Di,,New Bare Co {i % 5},," for i in range(10)]
    files = [
        ("accounts", csv_file(ACCOUNTS, accounts_by_domain)),
        ("accounts", csv_file(ACCOUNTS, accounts_without_domain)),
        ("contacts", csv_file(CONTACTS, contacts_by_domain)),
        ("contacts", csv_file(CONTACTS, contacts_without_domain)),
    ]
    answers = send([Call("/api/imports", form={"kind": k}, files=f) for k, f in files])
    for call, created in enumerate((20, 40, 40, 20)):
        assert statuses(answers, call) == {201: WORKERS}, [a[call] for a in answers]
        assert {(a[call].body["status"], a[call].body["rejected"]) for a in answers} == {
            ("committed", 0)
        }, sorted(set(ImportRowError.objects.values_list("message", flat=True)))
        assert totals(answers, call) == {
            "created": created,
            "updated": 0,
            "unchanged": created * (WORKERS - 1),
        }
    assert ImportRun.objects.count() == len(files) * WORKERS
    assert (Account.objects.count(), duplicated_names()) == (60 + 15, [])
    assert AccountIdentity.objects.count() == 10 + 20 + 5
    assert Contact.objects.count() == 60
    assert ContactIdentity.objects.count() == 20
