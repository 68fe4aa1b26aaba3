"""Accounts and contacts: filtered lists, the account page, the contact page and its timeline.

Lists cost a fixed number of queries whatever the page size: related rows come through
select_related, and the latest score per row through a correlated subquery that the database
evaluates only for the rows of the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from advocacy.content.models import Asset
from advocacy.customers.models import Account, Contact
from advocacy.people.permissions import Action, allowed
from advocacy.pipeline.models import Ask
from advocacy.references.models import Offer, ReferenceRequest
from advocacy.signals.models import VALUE_RANGES, Signal, SignalKind
from advocacy.web import charts
from advocacy.web.forms import AccountFilterForm, ContactFilterForm
from advocacy.web.htmx import render_page
from advocacy.web.sorting import Columns, nulls_last, sorting
from advocacy.web.views.asking import ask_type_choices
from advocacy.web.views.portal_links import portal_context
from advocacy.web.views.recognition import badge_context
from advocacy.web.views.value import value_context

LIST_PAGE_SIZE = 50
# The sortable columns. Contacts sort on indexed columns only (a page of a million rows is read
# from the index); by account, the join is sorted, which the filters keep small in practice.
CONTACT_COLUMNS: Columns = {
    "name": ["last_name", "first_name"],
    "email": ["email"],
    "account": ["account__name"],
    "persona": ["persona"],
}
ACCOUNT_COLUMNS: Columns = {
    "name": [Lower("name")],
    "industry": ["industry"],
    "region": ["region"],
    "size": ["size_band"],
    "arr": [nulls_last("arr")],
}
TIMELINE_PAGE_SIZE = 100
SPARKLINE_POINTS = 24


def paginate(request: HttpRequest, items: QuerySet[Any], per_page: int) -> Page[Any]:
    """The page named by ?page= (out-of-range numbers give the nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def latest_value(kind: str, **match: Any) -> Subquery:
    """The value of the newest signal of `kind` for the outer row, matched by `match`."""
    newest = Signal.objects.filter(kind=kind, **match).order_by("-occurred_at", "-id")
    return Subquery(newest.values("value")[:1])


def contacts_with_scores(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return contacts.select_related("account").annotate(
        latest_nps=latest_value(SignalKind.NPS, contact=OuterRef("pk"))
    )


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET)
    contact_counts = (
        Contact.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    order = sorting(request, ACCOUNT_COLUMNS, "name")
    accounts = form.filter(Account.objects.all()).annotate(
        contact_count=Coalesce(Subquery(contact_counts), Value(0), output_field=IntegerField()),
        latest_health=latest_value(SignalKind.HEALTH_SCORE, account=OuterRef("pk")),
    )
    context = {
        "section": "accounts",
        "form": form,
        "order": order,
        "page": paginate(request, order.apply(accounts), LIST_PAGE_SIZE),
        "has_any": form.active_count > 0 or Account.objects.exists(),
    }
    return render_page(request, "web/accounts/list.html", context, partial="results")


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET)
    order = sorting(request, CONTACT_COLUMNS, "name")
    contacts = contacts_with_scores(form.filter(Contact.objects.all()))
    context = {
        "section": "contacts",
        "form": form,
        "order": order,
        "page": paginate(request, order.apply(contacts), LIST_PAGE_SIZE),
        "ask_types": ask_type_choices() if allowed(request.user, Action.ASKS_OPEN) else [],
        "has_any": form.active_count > 0 or Contact.objects.exists(),
    }
    return render_page(request, "web/contacts/list.html", context, partial="results")


def score_series(signals: QuerySet[Signal], kind: str) -> list[Signal]:
    """The last SPARKLINE_POINTS scored signals of `kind`, oldest first."""
    newest = signals.filter(kind=kind, value__isnull=False).order_by("-occurred_at", "-id")
    return list(reversed(newest.only("occurred_at", "value", "kind")[:SPARKLINE_POINTS]))


def score_summary(signals: QuerySet[Signal], kind: str) -> dict[str, Any]:
    """Latest value, its tone and a sparkline of recent values, for one scored kind."""
    series = score_series(signals, kind)
    lo, hi = VALUE_RANGES[kind]
    latest = series[-1] if series else None
    return {
        "kind": kind,
        "label": SignalKind(kind).label,
        "latest": latest,
        "tone": charts.score_tone(kind, latest.value if latest else None),
        "line": charts.sparkline([s.value for s in series if s.value is not None], lo, hi),
    }


ACCOUNT_ROWS = 20


def account_work(account: Account) -> dict[str, Any]:
    """The account's asks, the reference requests its people were offered for, and its
    content: the latest ACCOUNT_ROWS of each, one query each (one row more says there are
    more)."""
    asks = list(
        Ask.objects.filter(contact__account=account)
        .select_related("contact", "ask_type", "owner")
        .order_by("-opened_at", "-id")[: ACCOUNT_ROWS + 1]
    )
    offered = Offer.objects.filter(contact__account=account).values("request_id")
    requests = list(
        ReferenceRequest.objects.filter(pk__in=offered).order_by("-filed_at", "-id")[
            : ACCOUNT_ROWS + 1
        ]
    )
    assets = list(
        Asset.objects.filter(account=account)
        .select_related("contact")
        .order_by("-created_at", "-id")[: ACCOUNT_ROWS + 1]
    )
    return {
        "asks": asks[:ACCOUNT_ROWS],
        "asks_more": len(asks) > ACCOUNT_ROWS,
        "requests": requests[:ACCOUNT_ROWS],
        "requests_more": len(requests) > ACCOUNT_ROWS,
        "assets": assets[:ACCOUNT_ROWS],
        "assets_more": len(assets) > ACCOUNT_ROWS,
        "account_rows": ACCOUNT_ROWS,
    }


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    contacts = contacts_with_scores(account.contacts.all())
    account_signals = Signal.objects.account_level(account.pk)
    context = {
        "section": "accounts",
        "account": account,
        "identities": list(account.identities.order_by("source", "external_id")),
        "page": paginate(request, contacts, LIST_PAGE_SIZE),
        "health": score_summary(account_signals, SignalKind.HEALTH_SCORE),
        "recent_signals": list(account_signals.timeline()[:10]),
        **account_work(account),
        **value_context(request),
    }
    return render_page(request, "web/accounts/detail.html", context, partial="contacts")


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    signals = Signal.objects.for_contact(contact)
    page = paginate(request, signals.timeline(), TIMELINE_PAGE_SIZE)
    context = {
        "section": "contacts",
        "contact": contact,
        "account": contact.account,
        "identities": list(contact.identities.order_by("source", "external_id")),
        "scores": [
            score_summary(signals, SignalKind.NPS),
            score_summary(signals, SignalKind.HEALTH_SCORE),
        ],
        "page": page,
        "months": charts.group_by_month(page.object_list),
        "can_manage_privacy": allowed(request.user, Action.PRIVACY_MANAGE),
        **portal_context(contact),
        **badge_context(contact),
        **value_context(request, contact),
    }
    return render_page(request, "web/contacts/detail.html", context, partial="timeline")
