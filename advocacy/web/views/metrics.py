"""The metrics dashboard, the rows behind each number, the scorecard, the council report.

Thin views: the filters form reads the period and segment, `advocacy.metrics` computes, the
template draws. Every chart has its table, every table a CSV export, every number a link to
the rows behind it. The scorecard is edited with real POST forms validated by the same service
as the CLI and API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Persona, Region, SizeBand
from advocacy.engine.services import current_policy
from advocacy.metrics import dashboard as data
from advocacy.metrics.catalogue import (
    BY_CODE,
    DEFAULT_PERIOD,
    FUNNEL_BASE,
    GROUPS,
    compute,
    rows,
)
from advocacy.metrics.jobs import start_council_pdf
from advocacy.metrics.models import Cadence, ScorecardEntry, Window
from advocacy.metrics.periods import PERIOD_FORMS, PeriodError
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.report import Report, build_report, council_html, council_period
from advocacy.metrics.scorecard import ScorecardError, remove_entry, scorecard, set_entry
from advocacy.metrics.services import export_csv, filters
from advocacy.references.models import ReferenceRequest
from advocacy.references.stats import desk_stats
from advocacy.web import charts
from advocacy.web.csp import standalone_document
from advocacy.web.forms import ANY, industry_choices
from advocacy.web.htmx import render_page
from advocacy.web.views.engine import actor

ROWS_PAGE = 50
# The dashboard's charts sit in cards about 300 px wide (three to a row, or one on a phone): drawn
# in a box of that size, their labels are about the size they are written in, and the page's
# script (charts.js) makes up the rest of the difference so they never read under 11 px.
CARD_CHART_WIDTH = 340
PERIOD_PRESETS = ("30d", "90d", "365d")


class MetricFilterForm(forms.Form):
    period = forms.CharField(
        label="Period", required=False, initial=DEFAULT_PERIOD, help_text=PERIOD_FORMS
    )
    industry = forms.ChoiceField(label="Industry", required=False)
    region = forms.ChoiceField(label="Region", required=False, choices=ANY + Region.choices)
    size_band = forms.ChoiceField(label="Size", required=False, choices=ANY + SizeBand.choices)
    persona = forms.ChoiceField(label="Persona", required=False, choices=ANY + Persona.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.period_segment = filters(
                data.get("period") or None,
                {k: data.get(k) or "" for k in ("industry", "region", "size_band", "persona")},
                now=timezone.now(),
            )
        except PeriodError as exc:
            self.add_error("period", str(exc))
        return data


def _filters(request: HttpRequest) -> tuple[MetricFilterForm, Any, Any]:
    form = MetricFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        period, segment = form.period_segment
    else:
        period, segment = filters(None, None, now=timezone.now())
    return form, period, segment


def _query(request: HttpRequest) -> str:
    keep = request.GET.copy()
    keep.pop("page", None)
    text = keep.urlencode()
    return f"?{text}" if text else ""


def _trend_chart(trend: data.Trend, keys: tuple[tuple[str, str], ...]) -> charts.StackedBars:
    series = [charts.Series(key, label) for key, label in keys]
    return charts.stacked_bars(
        [m.strftime("%b") for m in trend.months],
        trend.counts,
        series,
        titles=[m.strftime("%B %Y") for m in trend.months],
        width=CARD_CHART_WIDTH,
        height=200,
        max_labels=6,
    )


def _fill_rate(ev: Any) -> dict[str, Any]:
    """The reference desk's fill rate by the prospect's industry over the period (seed 002:
    under the alert threshold is a sourcing problem)."""
    stats = desk_stats(start=ev.period.start, end=ev.period.end, now=ev.now)
    segments = [s for s in stats.by("industry") if s.fill_rate is not None]
    bars = [(s.value, s.label, round(100 * (s.fill_rate or 0))) for s in segments]
    return {
        "fill_segments": segments,
        "fill_chart": charts.hbars(bars, width=CARD_CHART_WIDTH, left=100) if bars else None,
        "fill_threshold": round(100 * stats.threshold),
    }


def _context(request: HttpRequest, report: Report) -> dict[str, Any]:
    ev = report.evaluation
    activity, asks = data.activity_trend(ev), data.ask_trend(ev)
    ladder, funnel = data.ladder(ev), data.funnel(ev)
    groups = [
        (key, title, [v for v in report.values if v.metric.group == key])
        for key, title in GROUPS.items()
    ]
    return {
        "report": report,
        "groups": groups,
        "activity": activity,
        "activity_chart": _trend_chart(activity, data.TREND_SERIES),
        "asks": asks,
        "asks_chart": _trend_chart(asks, data.ASK_SERIES),
        "ladder": ladder,
        "ladder_chart": charts.hbars(ladder, width=CARD_CHART_WIDTH, left=90),
        "funnel": funnel,
        "funnel_chart": charts.hbars(
            funnel, width=CARD_CHART_WIDTH, left=80, room=140, bases=FUNNEL_BASE
        ),
        "fill_rate": BY_CODE["reference_fill_rate"],
        **_fill_rate(ev),
        "query": _query(request),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period, segment = _filters(request)
    report = build_report(period, segment, now=timezone.now(), policy=current_policy())
    context = {"section": "metrics", "form": form, "presets": PERIOD_PRESETS}
    context.update(_context(request, report))
    return render_page(request, "web/metrics/dashboard.html", context, partial="results")


@login_required
def metric_rows(request: HttpRequest, code: str) -> HttpResponse:
    metric = BY_CODE.get(code)
    if metric is None:
        raise Http404(f"unknown metric {code!r}")
    form, period, segment = _filters(request)
    ev = Evaluation(period, segment, now=timezone.now(), policy=current_policy())
    value = compute(metric, ev)
    page, subject = None, metric.subject
    if metric.available:
        queryset = rows(metric, ev)
        # An influenced amount lists deals, or the requests it falls back to with none synced.
        subject = "requests" if queryset.model is ReferenceRequest else subject
        related = {
            "contacts": ("account",),
            "signals": ("contact", "account"),
            "asks": ("contact", "contact__account", "ask_type"),
            "events": ("ask", "ask__contact", "ask__ask_type"),
            "decisions": ("contact", "play"),
            "requests": (),
            "referrals": ("advocate",),
            "uses": ("asset", "asset__contact"),
            "deals": ("account",),
        }[subject]
        queryset = queryset.select_related(*related).order_by("-pk")
        page = Paginator(queryset, ROWS_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "metrics",
        "form": form,
        "metric": metric,
        "subject": subject,
        "value": value,
        "period": period,
        "segment": segment,
        "page": page,
        "query": _query(request),
    }
    return render_page(request, "web/metrics/rows.html", context)


@login_required
def export(request: HttpRequest, name: str) -> HttpResponse:
    _, period, segment = _filters(request)
    report = build_report(period, segment, now=timezone.now(), policy=current_policy())
    try:
        text = export_csv(report, name)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{period.label}.csv"'
    return response


class ScorecardForm(forms.Form):
    metric = forms.ChoiceField(label="Metric")
    baseline = forms.FloatField(label="Baseline", required=False, help_text="Empty when unknown")
    target = forms.FloatField(label="Target", required=False, help_text="Empty until chosen")
    window = forms.ChoiceField(label="Measured over", choices=Window.choices)
    cadence = forms.ChoiceField(label="Reviewed", choices=Cadence.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [  # type: ignore[attr-defined]
            (m.code, m.name + ("" if m.available else " (not available yet)"))
            for m in BY_CODE.values()
        ]


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    form = ScorecardForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                set_entry(
                    d["metric"], baseline=d["baseline"], target=d["target"], window=d["window"],
                    cadence=d["cadence"], actor=actor(request), now=timezone.now(),
                )  # fmt: skip
            except ScorecardError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Scorecard: {BY_CODE[d['metric']].name} saved.")
                return redirect("web:metrics_scorecard")
        status = 422
    context = {
        "section": "metrics",
        "form": form,
        "rows": scorecard(now=timezone.now(), policy=current_policy()),
        "entries": {e.metric: e for e in ScorecardEntry.objects.all()},
    }
    return render_page(request, "web/metrics/scorecard.html", context, status=status)


@login_required
@require_POST
def scorecard_remove(request: HttpRequest, code: str) -> HttpResponse:
    try:
        remove_entry(code)
    except ScorecardError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Scorecard: {code} removed.")
    return redirect(reverse("web:metrics_scorecard"))


@login_required
def council(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        period = council_period(request.GET.get("month") or None, now=now)
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return standalone_document(council_html(period, now=now, policy=current_policy()))


@login_required
@require_POST
def council_pdf_start(request: HttpRequest) -> HttpResponse:
    """Build the council report's PDF as a job (WeasyPrint takes its time); its page shows
    the progress, then the download."""
    now = timezone.now()
    try:
        period = council_period(request.POST.get("month") or None, now=now)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return redirect("web:metrics")
    job = start_council_pdf(period, now=now, actor=actor(request))
    return redirect("web:job", pk=job.pk)
