"""Home: the work queue first (what to act on now, each item with its action), then what is in
the program right now, and where to start when it is empty."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.messaging.models import Message, MessageStatus
from advocacy.signals.models import ImportRun, Signal, SignalKind
from advocacy.web.htmx import render_page
from advocacy.web.views.portal_links import notices_for
from advocacy.workqueue.queue import Item, Section, work_queue

# Where each kind of item is acted on, and the list that shows a whole section.
TARGET_URLS = {
    "ask": "web:ask",
    "asset": "web:asset",
    "request": "web:reference",
    "contact": "web:contact",
}
SECTION_LISTS = {
    "overdue": ("web:pipeline", ""),
    "missed_window": ("web:pipeline", ""),
    "approvals": ("web:content", "?status=draft"),
    "unfilled": ("web:references", "?status=open"),
    "consents": ("web:content", "?status=published"),
}


def _links(section: Section) -> dict[str, Any]:
    listed = SECTION_LISTS.get(section.code)
    return {
        "section": section,
        "items": [(item, _item_url(item)) for item in section.items],
        "list_url": reverse(listed[0]) + listed[1] if listed else "",
    }


def _item_url(item: Item) -> str:
    return reverse(TARGET_URLS[item.target], args=[item.target_id]) if item.target_id else ""


RECENT_DAYS = 30
LATEST_IMPORTS = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    accounts = Account.objects.aggregate(
        total=Count("pk"),
        churn_risk=Count("pk", filter=Q(churn_risk=True)),
        nda=Count("pk", filter=Q(nda=True)),
    )
    contacts = Contact.objects.aggregate(
        total=Count("pk"),
        reachable=Count("pk", filter=Q(left_company_at__isnull=True, opted_out_at__isnull=True)),
    )
    by_kind = list(
        # Naming every kind lets the (kind, occurred_at) index serve the range on PostgreSQL.
        Signal.objects.filter(
            kind__in=SignalKind.values, occurred_at__gte=since, occurred_at__lte=now
        )
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    labels = dict(SignalKind.choices)
    top = max((row["n"] for row in by_kind), default=0)
    signal_rows = [
        {
            "kind": row["kind"],
            "label": labels.get(row["kind"], row["kind"]),
            "count": row["n"],
            "percent": round(100 * row["n"] / top) if top else 0,
        }
        for row in by_kind
    ]
    mine = request.GET.get("mine") == "1"
    queue = [_links(section) for section in work_queue(request.user, now=now, mine=mine)]
    context = {
        "section": "dashboard",
        "queue": queue,
        "queue_total": sum(entry["section"].total for entry in queue),
        "mine": mine,
        "accounts": accounts,
        "contacts": contacts,
        "recent_days": RECENT_DAYS,
        "signals_recent": sum(row["n"] for row in by_kind),
        "signal_rows": signal_rows,
        "imports": list(ImportRun.objects.select_related("created_by")[:LATEST_IMPORTS]),
        "is_empty": accounts["total"] == 0,
        "notices": notices_for(request.user, now=now),
        # The owner's own asks whose email failed for good: theirs to look at.
        "my_failed_emails": Message.objects.filter(
            status=MessageStatus.FAILED, ask__owner_id=request.user.pk
        ).count(),
    }
    return render_page(request, "web/dashboard/home.html", context)
