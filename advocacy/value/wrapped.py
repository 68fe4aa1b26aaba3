"""The year in review ("wrapped"): per advocate and per account, as data, HTML and PDF.

    wrapped_payloads(kind, [(contact, account)], year) -> {contact: payload}   set-based
    page(kind, contact_id, account_id, year) -> str                           the HTML page
    wrapped_pdf(kind, contact_id, account_id, year) -> (bytes, filename)      the same, as PDF

An advocate's year: their advocacy activities month by month and by kind (the activities the
program records when an ask completes, and those imported), what they were credited in the
ledger, the value moments they received, and what the program gave against what it asked.
An account's year: its product activity month by month, its health at each month's end, its
milestones, and its people's advocacy. Charts are inline SVG (advocacy.value.charts): the page
runs no script and loads nothing; the PDF is WeasyPrint's rendering of the same HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import Count, FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string

from advocacy.customers.models import Account, Contact
from advocacy.engine.reciprocity import balances
from advocacy.rewards.models import Entry
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS, Signal, SignalKind
from advocacy.value import charts
from advocacy.value.models import MomentKind, ValueMoment
from advocacy.value.periods import Span

M = MomentKind
KIND_LABELS = dict(SignalKind.choices)


class NotFound(LookupError):
    """No such advocate or account."""


def _months(span: Span) -> list[tuple[str, str]]:
    """(yyyy-mm, short label) for each month of the year."""
    return [(m.label, f"{m.start:%b}") for m in span.months()]


def _by_month(rows: Any, key: str, span: Span) -> dict[int, list[dict[str, Any]]]:
    """{id: [{label, value}] for each month}, from rows of (id, month, n)."""
    found: dict[int, dict[str, float]] = {}
    for who, month, n in rows.values_list(key, "month", "n"):
        found.setdefault(who, {})[f"{month.astimezone(UTC):%Y-%m}"] = n
    return {
        who: [{"label": short, "value": by.get(label, 0)} for label, short in _months(span)]
        for who, by in found.items()
    }


def _in(span: Span, field: str = "occurred_at") -> Q:
    return Q(**{f"{field}__gte": span.start, f"{field}__lt": span.end})


def _empty(span: Span) -> list[dict[str, Any]]:
    return [{"label": short, "value": 0} for _, short in _months(span)]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def advocate_years(contact_ids: list[int], span: Span) -> dict[int, dict[str, Any]]:
    """Each advocate's year: five queries, whatever their number."""
    acts = Signal.objects.filter(
        _in(span), contact_id__in=contact_ids, kind__in=ADVOCACY_ACTIVITY_KINDS
    )
    monthly = _by_month(
        acts.annotate(month=TruncMonth("occurred_at", tzinfo=UTC))
        .order_by()
        .values("contact_id", "month")
        .annotate(n=Count("id")),
        "contact_id",
        span,
    )
    kinds: dict[int, list[dict[str, Any]]] = {}
    for who, kind, n in (
        acts.order_by()
        .values("contact_id", "kind")
        .annotate(n=Count("id"))
        .order_by("contact_id", "-n", "kind")
        .values_list("contact_id", "kind", "n")
    ):
        kinds.setdefault(who, []).append({"label": KIND_LABELS.get(kind, kind), "value": n})
    credited = dict(
        Entry.objects.filter(_in(span, "at"), contact_id__in=contact_ids, kind="credit")
        .values("contact_id")
        .annotate(n=Sum("amount_cents"))
        .values_list("contact_id", "n")
    )
    reversed_ = dict(
        Entry.objects.filter(
            _in(span, "at"), contact_id__in=contact_ids, kind="reversal", reverses__kind="credit"
        )
        .values("contact_id")
        .annotate(n=Sum("amount_cents"))
        .values_list("contact_id", "n")
    )
    moments = dict(
        ValueMoment.objects.filter(_in(span, "created_at"), contact_id__in=contact_ids)
        .values("contact_id")
        .annotate(n=Count("id"))
        .values_list("contact_id", "n")
    )
    owed = balances(contact_ids, span.end)
    found = {}
    for c in contact_ids:
        months = monthly.get(c, _empty(span))
        total = int(sum(m["value"] for m in months))
        cents = int(credited.get(c) or 0) + int(reversed_.get(c) or 0)
        bal = owed[c]
        found[c] = {
            "months": months,
            "by_kind": kinds.get(c, []),
            "activities": total,
            "credited_cents": cents,
            "moments": int(moments.get(c, 0)),
            "given": bal.given,
            "asked": bal.asked,
            "lines": [
                f"You did {_plural(total, 'advocacy activity', 'advocacy activities')} "
                f"with us in {span.label}.",
                f"We credited you ${cents / 100:,.2f} in rewards.",
                f"We sent you {_plural(int(moments.get(c, 0)), 'insight', 'insights')}.",
                f"We gave {bal.given} and asked {bal.asked} in the 12 months to the year's end.",
            ],
        }
    return found


def _health_at_month_ends(account_ids: list[int], span: Span) -> dict[int, list[dict[str, Any]]]:
    """Each account's latest health at each month's end: one query (a subquery a month)."""
    ends = {
        f"h{i}": Subquery(
            Signal.objects.filter(
                account=OuterRef("pk"), kind=SignalKind.HEALTH_SCORE, occurred_at__lt=m.end
            )
            .order_by("-occurred_at", "-id")
            .values("value")[:1],
            output_field=FloatField(),
        )
        for i, m in enumerate(span.months())
    }
    rows = Account.objects.filter(pk__in=account_ids).annotate(**ends)
    shorts = [short for _, short in _months(span)]
    return {
        row["pk"]: [
            {"label": s, "value": None if row[f"h{i}"] is None else round(row[f"h{i}"], 1)}
            for i, s in enumerate(shorts)
        ]
        for row in rows.values("pk", *ends)
    }


def account_years(account_ids: list[int], span: Span) -> dict[int, dict[str, Any]]:
    """Each account's year: four queries, whatever their number."""
    signals = Signal.objects.filter(_in(span), account_id__in=account_ids)
    monthly = _by_month(
        signals.filter(kind=SignalKind.ACTIVITY)
        .annotate(month=TruncMonth("occurred_at", tzinfo=UTC))
        .order_by()
        .values("account_id", "month")
        .annotate(n=Count("id")),
        "account_id",
        span,
    )
    counts = {
        r["account_id"]: r
        for r in signals.order_by()
        .values("account_id")
        .annotate(
            milestones=Count("id", filter=Q(kind=SignalKind.USAGE_MILESTONE)),
            advocacy=Count("id", filter=Q(kind__in=ADVOCACY_ACTIVITY_KINDS)),
            advocates=Count(
                "contact_id", distinct=True, filter=Q(kind__in=ADVOCACY_ACTIVITY_KINDS)
            ),
        )
    }
    health = _health_at_month_ends(account_ids, span)
    names = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name"))
    found = {}
    for a in account_ids:
        months = monthly.get(a, _empty(span))
        total = int(sum(m["value"] for m in months))
        row: dict[str, Any] = dict(counts.get(a, {}))
        milestones, advocacy = int(row.get("milestones", 0)), int(row.get("advocacy", 0))
        advocates = int(row.get("advocates", 0))
        found[a] = {
            "company": names[a],
            "months": months,
            "health_months": health.get(a, []),
            "activities": total,
            "milestones_count": milestones,
            "advocacy": advocacy,
            "advocates": advocates,
            "lines": [
                f"{names[a]} recorded {_plural(total, 'product activity', 'product activities')}"
                f" in {span.label}.",
                f"It reached {_plural(milestones, 'milestone', 'milestones')}.",
                f"{_plural(advocates, 'person', 'people')} at {names[a]} did "
                f"{_plural(advocacy, 'advocacy activity', 'advocacy activities')}.",
            ],
        }
    return found


def wrapped_payloads(
    kind: str, contacts: list[tuple[int, int]], span: Span
) -> dict[int, dict[str, Any]]:
    """The email payload of each (contact, account): the advocate's year, or their account's."""
    head = {"moment": str(kind), "period": span.label, "period_words": span.words}
    if kind == M.WRAPPED:
        years = advocate_years([c for c, _ in contacts], span)
        return {c: {**head, **years[c]} for c, _ in contacts}
    by_account = account_years(sorted({a for _, a in contacts}), span)
    return {c: {**head, **by_account[a]} for c, a in contacts}


def subject_of(kind: str, contact_id: int | None, account_id: int | None) -> str:
    """Whose year it is, in words; NotFound if there is no such advocate or account."""
    if kind == M.WRAPPED:
        contact = Contact.objects.filter(pk=contact_id or 0).select_related("account").first()
        if contact is None:
            raise NotFound(f"no advocate {contact_id}")
        return f"{contact.full_name or contact.email}, {contact.account.name}"
    account = Account.objects.filter(pk=account_id or 0).first()
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account.name


def page_context(
    kind: str, contact_id: int | None, account_id: int | None, span: Span
) -> dict[str, Any]:
    who = subject_of(kind, contact_id, account_id)
    if kind == M.WRAPPED:
        assert contact_id is not None
        year = advocate_years([contact_id], span)[contact_id]
        chart_list = [
            charts.bars("Advocacy activities by month", year["months"]),
            charts.bars("Advocacy activities by kind", year["by_kind"]),
        ]
    else:
        assert account_id is not None
        year = account_years([account_id], span)[account_id]
        chart_list = [
            charts.bars("Product activity by month", year["months"]),
            charts.line("Health at each month's end", year["health_months"]),
        ]
    return {
        "who": who,
        "year": span.label,
        "kind": kind,
        "lines": year["lines"],
        "charts": chart_list,
        "product": settings.PRODUCT_NAME,
        "program": settings.PROGRAM_NAME,
    }


def page(kind: str, contact_id: int | None, account_id: int | None, span: Span) -> str:
    """The year in review as a standalone HTML page (inline SVG charts, no script)."""
    return render_to_string("value/wrapped.html", page_context(kind, contact_id, account_id, span))


def filename_of(kind: str, contact_id: int | None, account_id: int | None, span: Span) -> str:
    who = f"advocate-{contact_id}" if kind == M.WRAPPED else f"account-{account_id}"
    return f"year-in-review-{span.label}-{who}.pdf"


def wrapped_pdf(
    kind: str,
    contact_id: int | None,
    account_id: int | None,
    span: Span,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, str]:
    """The page as PDF (WeasyPrint, nothing fetched); `progress(step, 3)` after each step."""
    from weasyprint import HTML

    html = page(kind, contact_id, account_id, span)
    if progress is not None:
        progress(1, 3)
    document = HTML(string=html, url_fetcher=_no_fetch).render()
    if progress is not None:
        progress(2, 3)
    pdf: bytes = document.write_pdf()
    if progress is not None:
        progress(3, 3)
    return pdf, filename_of(kind, contact_id, account_id, span)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the year in review loads nothing from outside: {url}")
