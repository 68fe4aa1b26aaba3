"""A small program to search: people, their accounts, an ask, a request and a case study."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.content.models import Asset
from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import Ask, AskType
from advocacy.references.models import ReferenceRequest

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def world(requester: Any) -> dict[str, Any]:
    acme = Account.objects.create(name="Acme Robotics", domain="acme.example")
    adams = Account.objects.create(name="Adams & Co", domain="adams.example")
    globex = Account.objects.create(name="Globex", domain="globex.example")
    ada = Contact.objects.create(account=acme, email="ada@acme.example", first_name="Ada",
                                 last_name="Lovelace")  # fmt: skip
    adam = Contact.objects.create(account=adams, email="adam@adams.example", first_name="Adam",
                                  last_name="Smith")  # fmt: skip
    hal = Contact.objects.create(account=globex, email="hal@globex.example", first_name="Hal",
                                 last_name="Adair")  # fmt: skip
    ask = Ask.objects.create(contact=ada, ask_type=AskType.objects.get(code="review"),
                             moment="manual:x", status="proposed", opened_at=NOW,
                             updated_at=NOW)  # fmt: skip
    request = ReferenceRequest.objects.create(
        opportunity="Adaptive rollout", prospect_company="Initech", industry="SaaS",
        needed_by=NOW.date(), requested_by=requester, filed_at=NOW, updated_at=NOW,
    )  # fmt: skip
    asset = Asset.objects.create(kind="case_study", title="Acme halves its billing time",
                                 contact=ada, account=acme, created_at=NOW,
                                 updated_at=NOW)  # fmt: skip
    return {"acme": acme, "adams": adams, "globex": globex, "ada": ada, "adam": adam,
            "hal": hal, "ask": ask, "request": request, "asset": asset}  # fmt: skip
