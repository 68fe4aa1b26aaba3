"""The dashboard: what is in the program right now, and where to start when it is empty."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.messaging.models import Message, MessageStatus
from advocacy.signals.models import ImportRun, Signal, SignalKind
from advocacy.web.htmx import render_page
from advocacy.web.views.portal_links import notices_for

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
    context = {
        "section": "dashboard",
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
