"""Global search: contacts, accounts, asks, reference requests and content, by the start of
their names.

One query per group, each a prefix match on an indexed column, so a search costs the same on a
thousand contacts as on a million: the database reads an index range (`name >= 'ada' AND name <
'adb'`), then keeps the rows that truly start with the text (`LIKE 'ada%'`, which the range
alone could not promise under every collation). It is the same SQL on SQLite and PostgreSQL,
against expression indexes on the lower-cased names (migrations of customers, references and
content).

What is matched:

- contacts: the email, the first name or the last name; "ada love" matches first name "Ada…"
  and last name "Love…";
- accounts: the name or the domain;
- asks: "#123" or "123" is the ask of that id; otherwise the asks of the contacts found;
- reference requests: the prospect's company or the opportunity;
- content: the title.

A group is shown only to a role that may see it (`Action.VIEW` for each today; one line per
group here if that changes). The web UI's search box, `advocacy search` and `GET /api/search`
all call `search`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from advocacy.content.models import Asset
from advocacy.customers.models import Account, Contact
from advocacy.people.permissions import Action, allowed
from advocacy.pipeline.models import Ask
from advocacy.references.models import ReferenceRequest

LIMIT = 10  # results per group
MAX_LENGTH = 100
GROUPS = ("contacts", "accounts", "asks", "requests", "content")
# The action each group needs.
RIGHTS: dict[str, Action] = dict.fromkeys(GROUPS, Action.VIEW)


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "detail": self.detail}


@dataclass
class Results:
    query: str
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)  # a group with more than LIMIT

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "groups": {
                name: {"results": [h.as_dict() for h in hits], "more": self.more[name]}
                for name, hits in self.groups.items()
            },
        }


def _next(text: str) -> str:
    """The smallest string after every string that starts with `text`."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def starts_with(column: str, text: str, *, lower: bool = True) -> Q:
    """Rows whose `column` starts with `text`: an index range, then the exact test. With
    `lower`, over the alias `_<column>_key` (Lower(column)) the caller adds; else over the
    column itself (stored lower-cased: emails, domains)."""
    name = f"_{column}_key" if lower else column
    return Q(**{f"{name}__gte": text, f"{name}__lt": _next(text), f"{name}__startswith": text})


def _contacts(text: str) -> QuerySet[Contact]:
    contacts = Contact.objects.alias(
        _first_name_key=Lower("first_name"), _last_name_key=Lower("last_name")
    )
    first, _, rest = text.partition(" ")
    if rest.strip():
        match = starts_with("first_name", first) & starts_with("last_name", rest.strip())
    else:
        match = (
            starts_with("email", text, lower=False)
            | starts_with("first_name", text)
            | starts_with("last_name", text)
        )
    return (
        contacts.filter(match).select_related("account").order_by("last_name", "first_name", "pk")
    )


def _accounts(text: str) -> QuerySet[Account]:
    accounts = Account.objects.alias(_name_key=Lower("name"))
    match = starts_with("name", text) | starts_with("domain", text, lower=False)
    return accounts.filter(match).order_by(Lower("name"), "pk")


def _asks(text: str, contact_ids: list[int]) -> QuerySet[Ask]:
    asks = Ask.objects.select_related("contact", "ask_type")
    number = text.removeprefix("#")
    if number.isdigit() and len(number) < 19:
        return asks.filter(pk=int(number))
    return asks.filter(contact_id__in=contact_ids).order_by("-opened_at", "-pk")


def _requests(text: str) -> QuerySet[ReferenceRequest]:
    requests = ReferenceRequest.objects.alias(
        _prospect_company_key=Lower("prospect_company"), _opportunity_key=Lower("opportunity")
    )
    match = starts_with("prospect_company", text) | starts_with("opportunity", text)
    return requests.filter(match).order_by("-filed_at", "-pk")


def _content(text: str) -> QuerySet[Asset]:
    assets = Asset.objects.alias(_title_key=Lower("title")).select_related("contact")
    return assets.filter(starts_with("title", text)).order_by("-created_at", "-pk")


def search(text: str, *, user: Any, limit: int = LIMIT) -> Results:
    """What starts with `text`, grouped, at most `limit` a group, only the groups `user`'s
    role may see (every group for None, the shell's holder). Empty for a blank text;
    ValueError for one longer than MAX_LENGTH."""
    query = " ".join(text.split()).lower()
    if len(query) > MAX_LENGTH:
        raise ValueError(f"search for at most {MAX_LENGTH} characters; {len(query)} given")
    results = Results(query)
    if not query:
        return results
    # No user: the command line without --as, whose holder may do everything.
    may = {name for name in GROUPS if user is None or allowed(user, RIGHTS[name])}
    found_contacts: list[Contact] = []
    if "contacts" in may or "asks" in may:
        found_contacts = list(_contacts(query)[: limit + 1])
    if "contacts" in may:
        results.groups["contacts"] = [
            Hit("contact", c.pk, str(c), f"{c.email} · {c.account.name}")
            for c in found_contacts[:limit]
        ]
        results.more["contacts"] = len(found_contacts) > limit
    if "accounts" in may:
        rows = list(_accounts(query)[: limit + 1])
        results.groups["accounts"] = [
            Hit("account", a.pk, a.name, a.domain or a.industry or "") for a in rows[:limit]
        ]
        results.more["accounts"] = len(rows) > limit
    if "asks" in may:
        asks = list(_asks(query, [c.pk for c in found_contacts[:limit]])[: limit + 1])
        results.groups["asks"] = [
            Hit("ask", a.pk, f"{a.ask_type.name} for {a.contact}", a.get_status_display())
            for a in asks[:limit]
        ]
        results.more["asks"] = len(asks) > limit
    if "requests" in may:
        requests = list(_requests(query)[: limit + 1])
        results.groups["requests"] = [
            Hit("request", r.pk, r.prospect_company, f"{r.opportunity} · {r.get_status_display()}")
            for r in requests[:limit]
        ]
        results.more["requests"] = len(requests) > limit
    if "content" in may:
        assets = list(_content(query)[: limit + 1])
        results.groups["content"] = [
            Hit("content", a.pk, a.title, f"{a.get_kind_display()} · {a.contact}")
            for a in assets[:limit]
        ]
        results.more["content"] = len(assets) > limit
    return results
