"""The metric catalogue: every seed metric defined once, with its formula, unit and source.

A `Metric` names what it measures and how (`formula`, shown in docs/metrics.md, the dashboard and
the API), computes its value from an `Evaluation` (the shared aggregates of one period and
segment, see queries.py), and lists the rows behind its number (the drill-down). A metric that
needs a part of the product not there yet has `needs` set and no functions: it is listed,
shown as "not available yet", and never given a number. Filling one in later means giving it a
`value` and `rows` function here; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet

from advocacy.customers.models import Contact
from advocacy.engine.models import ContactProfile
from advocacy.metrics.queries import (
    ACTIVITY_KINDS,
    ADVOCATE_RUNGS,
    Evaluation,
    K,
    eligible_q,
    ratio,
)
from advocacy.references.models import OpportunityResult
from advocacy.signals.models import Signal

# Units: how a value reads. Percent values are 0-100; "points" are percentage points.
COUNT, PERCENT, PER_MONTH, RATING, DAYS, SCORE, RATIO, POINTS, AMOUNT = (
    "count", "percent", "per month", "rating", "days", "score", "ratio", "points", "amount",
)  # fmt: skip

Value = tuple[float | None, float | None, float | None]  # value, numerator, denominator

# The trailing windows a number is measured over, defined once: a scorecard entry's "month" or
# "quarter", and the period the dashboard, the API and the CLI show when none is asked for. The
# default period IS the quarter's window, so a page that shows a metric in its scorecard and in
# its cards shows one figure for a metric, not two computed over different spans.
WINDOW_DAYS = {"month": 30, "quarter": 90}
DEFAULT_PERIOD = f"{WINDOW_DAYS['quarter']}d"
# Each funnel stage's rate is a share of the stage named here: the stage metrics below (ask
# acceptance, completion, to publish) and the funnel chart's percentages read these pairs, so
# the chart's "accepted 39.2%" is the card's "Ask acceptance 39.2%".
FUNNEL_BASE = {
    "sent": "opened",
    "accepted": "sent",
    "completed": "accepted",
    "published": "sent",
    "declined": "sent",
}


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    formula: str
    unit: str
    seed: str
    group: str
    value: Callable[[Evaluation], Value] | None = None
    rows: Callable[[Evaluation], QuerySet[Any]] | None = None
    needs: str = ""
    higher_is_better: bool = True

    @property
    def available(self) -> bool:
        return self.value is not None

    @property
    def subject(self) -> str:
        """What the drill-down rows are: contacts, signals, asks, events or decisions."""
        return SUBJECTS.get(self.code, "")


@dataclass(frozen=True)
class MetricValue:
    metric: Metric
    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def available(self) -> bool:
        return self.metric.available


def compute(metric: Metric, ev: Evaluation) -> MetricValue:
    if metric.value is None:
        return MetricValue(metric, None)
    value, numerator, denominator = metric.value(ev)
    return MetricValue(metric, value, numerator, denominator)


def _count(n: float | None) -> Value:
    return (n, None, None)


def _rate(numerator: float | None, denominator: float | None, scale: float = 100.0) -> Value:
    return (ratio(numerator, denominator, scale), numerator, denominator)


def _nps(answers: int, promoters: int, detractors: int) -> Value:
    return (ratio(promoters - detractors, answers), promoters - detractors, answers)


def _stage(ev: Evaluation, to: str, frm: str) -> Value:
    return _rate(ev.funnel[to], ev.funnel[frm])


def _type_rate(ev: Evaluation, code: str, to: str, frm: str) -> Value:
    stages = ev.by_ask_type.get(code, {})
    return _rate(stages.get(to, 0), stages.get(frm, 0))


def _amount(ev: Evaluation, which: str) -> Value:
    """An influenced amount, with the number of deals behind it as its numerator: on the synced
    deals, else (no deal synced) on the reference requests' own amounts."""
    if ev.has_deals:
        return (float(ev.attribution[which]), ev.attribution[f"{which}_deals"], None)
    return (float(ev.desk[which]), ev.desk[f"{which}_deals"], None)


def _amount_rows(which: str, result: str) -> Callable[[Evaluation], QuerySet[Any]]:
    def rows(ev: Evaluation) -> QuerySet[Any]:
        if ev.has_deals:
            return ev.influenced_deals(which)
        return ev.influenced_requests(result)

    return rows


def _by_source(ev: Evaluation, which: str, source: str) -> Value:
    """One source's influenced amount on the synced deals; nothing without a deal synced."""
    if not ev.has_deals:
        return (None, None, None)
    key = f"{which}_{source}"
    return (float(ev.attribution[key]), ev.attribution[f"{key}_deals"], None)


def _by_source_value(which: str, source: str) -> Callable[[Evaluation], Value]:
    return lambda ev: _by_source(ev, which, source)


def _by_source_rows(which: str, source: str) -> Callable[[Evaluation], QuerySet[Any]]:
    return lambda ev: ev.influenced_deals(which, source)


def _win_share(ev: Evaluation) -> Value:
    if not ev.has_deals:
        return (None, None, None)
    return _rate(ev.attribution["wins_referenced"], ev.attribution["wins"])


def _days(d: Any) -> float | None:
    return None if d is None else d.total_seconds() / 86400


def _acceleration(ev: Evaluation) -> Value:
    """Mean cycle days of the won deals without reference influence less those with it."""
    if not ev.has_deals:
        return (None, None, None)
    with_, without = _days(ev.attribution["cycle_with"]), _days(ev.attribution["cycle_without"])
    if with_ is None or without is None:
        return (None, with_, without)
    return (round(without - with_, 2), with_, without)


def _referred(ev: Evaluation, which: str) -> Value:
    """A referral-sourced amount in dollars, with the number of referrals behind it."""
    return (ev.referred[which] / 100, ev.referred[f"{which}_deals"], None)


def _time_to_fill(ev: Evaluation) -> Value:
    waited = ev.desk["to_fill"]
    days = None if waited is None else round(waited.total_seconds() / 86400, 2)
    return (days, None, ev.desk["filled"])


def _advocates(ev: Evaluation) -> QuerySet[Any]:
    return Contact.objects.filter(
        pk__in=ev.profiles().filter(rung__in=ADVOCATE_RUNGS).values("contact_id")
    )


def _eligible(ev: Evaluation) -> QuerySet[Any]:
    ids = ev.profiles().filter(eligible_q(ev.policy, ev.now))
    return Contact.objects.filter(pk__in=ids.values("contact_id"))


def _ready(ev: Evaluation) -> QuerySet[Any]:
    return Contact.objects.filter(pk__in=ev.profiles().exclude(ready="").values("contact_id"))


def _kind_rows(*kinds: str) -> Callable[[Evaluation], QuerySet[Any]]:
    return lambda ev: ev.signals(kinds)


def _new_advocates(ev: Evaluation) -> QuerySet[Any]:
    return Contact.objects.filter(pk__in=ev.new_advocate_signals().values("contact_id"))


def _sent_asks(code: str | None = None) -> Callable[[Evaluation], QuerySet[Any]]:
    def rows(ev: Evaluation) -> QuerySet[Any]:
        sent = ev.events().filter(to_status="sent")
        if code:
            sent = sent.filter(ask__ask_type__code=code)
        return ev.asks().filter(pk__in=sent.values("ask_id"))

    return rows


def _with_stage(stage: str) -> Callable[[Evaluation], QuerySet[Any]]:
    return lambda ev: ev.asks().filter(pk__in=ev.events().filter(to_status=stage).values("ask_id"))


def _published_of(*codes: str) -> Callable[[Evaluation], QuerySet[Any]]:
    def rows(ev: Evaluation) -> QuerySet[Any]:
        events = ev.published_events()
        if codes:
            events = events.filter(ask__ask_type__code__in=codes)
        return events

    return rows


def _advocate_nps_rows(ev: Evaluation) -> QuerySet[Any]:
    advocates = ContactProfile.objects.filter(rung__in=ADVOCATE_RUNGS).values("contact_id")
    return ev.signals((K.NPS,)).filter(contact_id__in=advocates)


def _retention_rows(ev: Evaluation) -> QuerySet[Any]:
    """Those active in the year before last: the denominator."""
    end = ev.period.end
    before = Signal.objects.filter(
        ev.segment.q(contact="contact__", account="account__"),
        kind__in=ACTIVITY_KINDS,
        occurred_at__gte=end - timedelta(days=730),
        occurred_at__lt=end - timedelta(days=365),
    )
    return Contact.objects.filter(pk__in=before.values("contact_id"))


def _lift(ev: Evaluation) -> Value:
    overall = ev.overall_lift
    return (overall.lift, overall.asked_rate, overall.held_out_rate)


M = Metric
CATALOGUE: tuple[Metric, ...] = (
    # --- the program: who the advocates are ---------------------------------------------------
    M(
        code="advocates",
        name="Advocate pool",
        formula=(
            "reachable contacts at the advocate, champion or ambassador rung "
            "(profiles as of their last refresh)"
        ),
        unit=COUNT,
        seed="002, 003",
        group="program",
        value=lambda ev: _count(ev.population["advocates"]),
        rows=_advocates,
    ),
    M(
        code="advocate_coverage",
        name="Advocate coverage",
        formula=(
            "eligible contacts who are advocates / eligible contacts (eligible: latest NPS >= "
            "nps_min answered within nps_fresh_days, health >= health_min, a customer for "
            "tenure_days_min, product use within active_within_days, a CSM owning the account)"
        ),
        unit=PERCENT,
        seed="001 (target 20-30%)",
        group="program",
        value=lambda ev: _rate(ev.population["covered"], ev.population["eligible"]),
        rows=_eligible,
    ),
    M(
        code="advocacy_ready_accounts",
        name="Advocacy-ready accounts",
        formula="accounts with at least one reachable contact ready for an ask now",
        unit=COUNT,
        seed="004 (readiness signals)",
        group="program",
        value=lambda ev: _count(ev.population["ready_accounts"]),
        rows=_ready,
    ),
    M(
        code="active_advocates",
        name="Active advocates",
        formula=(
            "advocates with an advocacy activity (review, reference, referral) in "
            "the 90 days to the period's end"
        ),
        unit=COUNT,
        seed="003",
        group="program",
        value=lambda ev: _count(ev.active),
        rows=lambda ev: Contact.objects.filter(pk__in=ev.active_advocates().values("contact_id")),
    ),
    M(
        code="activation_rate",
        name="Activation rate",
        formula="active advocates / advocates",
        unit=PERCENT,
        seed="002",
        group="program",
        value=lambda ev: _rate(ev.active, ev.population["advocates"]),
        rows=_advocates,
    ),
    M(
        code="new_advocates",
        name="New advocates",
        formula="contacts whose first advocacy activity ever falls in the period",
        unit=COUNT,
        seed="003",
        group="program",
        value=lambda ev: _count(ev.new_advocates),
        rows=_new_advocates,
    ),
    M(
        code="advocate_retention",
        name="Advocate retention",
        formula=(
            "contacts active in the year before last who were active again in the "
            "last year / those active in the year before last (year over year, to "
            "the period's end)"
        ),
        unit=PERCENT,
        seed="003",
        group="program",
        value=lambda ev: _rate(ev.retention["kept"], ev.retention["prior"]),
        rows=_retention_rows,
    ),
    M(
        code="activities_per_advocate",
        name="Activities per advocate",
        formula=(
            "advocacy activities in the period by advocates / advocates (the advocate pool, "
            "those without an activity included)"
        ),
        unit=RATIO,
        seed="003",
        group="program",
        value=lambda ev: _rate(ev.activity["by_advocates"], ev.population["advocates"], 1),
        rows=_advocates,
    ),
    # --- activity volume ----------------------------------------------------------------------
    M(
        code="reviews",
        name="Reviews",
        formula="reviews published in the period",
        unit=COUNT,
        seed="000 s.10, 001",
        group="activity",
        value=lambda ev: _count(ev.activity[f"n_{K.REVIEW_PUBLISHED}"]),
        rows=_kind_rows(K.REVIEW_PUBLISHED),
    ),
    M(
        code="review_velocity",
        name="Review velocity",
        formula="reviews published in the period / its length in months",
        unit=PER_MONTH,
        seed="002",
        group="activity",
        value=lambda ev: _rate(ev.activity[f"n_{K.REVIEW_PUBLISHED}"], ev.period.months, 1),
        rows=_kind_rows(K.REVIEW_PUBLISHED),
    ),
    M(
        code="review_rating",
        name="Average review rating",
        formula="mean rating of the reviews published in the period that carry one",
        unit=RATING,
        seed="001 (target 4.5+)",
        group="activity",
        value=lambda ev: (ev.activity["rating"], None, ev.activity["rated"]),
        rows=_kind_rows(K.REVIEW_PUBLISHED),
    ),
    M(
        code="referrals",
        name="Referrals",
        formula=(
            "referrals whose first status signal falls in the period, each referral once (by "
            "the referral id of its status signals; a status without one is a referral of its "
            "own)"
        ),
        unit=COUNT,
        seed="000 s.10, 002",
        group="activity",
        value=lambda ev: _count(ev.referrals),
        rows=lambda ev: ev.referral_firsts(),
    ),
    M(
        code="reference_calls",
        name="Reference calls completed",
        formula="reference calls completed in the period",
        unit=COUNT,
        seed="003",
        group="activity",
        value=lambda ev: _count(ev.activity[f"n_{K.REFERENCE_COMPLETED}"]),
        rows=_kind_rows(K.REFERENCE_COMPLETED),
    ),
    M(
        code="case_studies_published",
        name="Case studies published",
        formula="case study asks published in the period",
        unit=COUNT,
        seed="003",
        group="activity",
        value=lambda ev: _count(ev.published["by_type"].get("case_study", 0)),
        rows=_published_of("case_study"),
    ),
    M(
        code="testimonials_published",
        name="Testimonials published",
        formula="testimonial quote and video asks published in the period",
        unit=COUNT,
        seed="003",
        group="activity",
        value=lambda ev: _count(
            sum(
                ev.published["by_type"].get(c, 0)
                for c in ("testimonial_quote", "video_testimonial")
            )
        ),
        rows=_published_of("testimonial_quote", "video_testimonial"),
    ),
    # --- the pipeline of asks -----------------------------------------------------------------
    M(
        code="asks_opened",
        name="Asks opened",
        formula="asks opened in the period",
        unit=COUNT,
        seed="004",
        group="pipeline",
        value=lambda ev: _count(ev.funnel["opened"]),
        rows=lambda ev: ev.asks(),
    ),
    M(
        code="ask_acceptance",
        name="Ask acceptance",
        formula="asks opened in the period that were accepted / those sent",
        unit=PERCENT,
        seed="004 (ask conversion rate)",
        group="pipeline",
        value=lambda ev: _stage(ev, "accepted", FUNNEL_BASE["accepted"]),
        rows=_sent_asks(),
    ),
    M(
        code="ask_completion",
        name="Ask completion",
        formula="asks opened in the period that were completed / those accepted",
        unit=PERCENT,
        seed="004",
        group="pipeline",
        value=lambda ev: _stage(ev, "completed", FUNNEL_BASE["completed"]),
        rows=_with_stage("accepted"),
    ),
    M(
        code="ask_to_publish",
        name="Ask to publish",
        formula="asks opened in the period that were published / those sent",
        unit=PERCENT,
        seed="004 (ask > accept > publish)",
        group="pipeline",
        value=lambda ev: _stage(ev, "published", FUNNEL_BASE["published"]),
        rows=_sent_asks(),
    ),
    M(
        code="case_study_conversion",
        name="Case study conversion",
        formula="case study asks opened in the period that were accepted / those sent",
        unit=PERCENT,
        seed="000 s.10 (baseline 8%, target 15%)",
        group="pipeline",
        value=lambda ev: _type_rate(ev, "case_study", "accepted", "sent"),
        rows=_sent_asks("case_study"),
    ),
    M(
        code="review_response_rate",
        name="Review response rate",
        formula=(
            "review asks opened in the period that were accepted / those sent (by "
            "tactic beside seed 001's expected ranges)"
        ),
        unit=PERCENT,
        seed="001 (review generation tactics)",
        group="pipeline",
        value=lambda ev: _type_rate(ev, "review", "accepted", "sent"),
        rows=_sent_asks("review"),
    ),
    M(
        code="time_to_publish",
        name="Time to publish",
        formula=(
            "mean days from an ask opened to its publication, over asks published in the period"
        ),
        unit=DAYS,
        seed="004 (time-to-publish); 002: 4-8 weeks for case studies",
        group="pipeline",
        value=lambda ev: (ev.published["mean_days"], None, sum(ev.published["by_type"].values())),
        rows=_published_of(),
        higher_is_better=False,
    ),
    M(
        code="play_lift",
        name="Lift over holdout",
        formula=(
            "advocacy activity within 30 days of the decision: rate when asked - "
            "rate when held out, in points, with a 95% interval per play"
        ),
        unit=POINTS,
        seed="004 (measure lift)",
        group="pipeline",
        value=_lift,
        rows=lambda ev: ev.decisions(),
    ),
    # --- satisfaction -------------------------------------------------------------------------
    M(
        code="nps",
        name="NPS",
        formula="% promoters (9-10) - % detractors (0-6) of the NPS answers in the period",
        unit=SCORE,
        seed="002, 003",
        group="satisfaction",
        value=lambda ev: _nps(ev.nps["answers"], ev.nps["promoters"], ev.nps["detractors"]),
        rows=_kind_rows(K.NPS),
    ),
    M(
        code="advocate_nps",
        name="Advocate NPS",
        formula="NPS of the answers given in the period by current advocates",
        unit=SCORE,
        seed="003 (target 60+)",
        group="satisfaction",
        value=lambda ev: _nps(
            ev.nps["advocate_answers"], ev.nps["advocate_promoters"], ev.nps["advocate_detractors"]
        ),
        rows=_advocate_nps_rows,
    ),
    # --- not available yet: named with what they need ----------------------------------------
    M(
        code="reference_fill_rate",
        name="Reference fill rate",
        formula=(
            "reference requests filed in the period and filled / those decided (less the ones "
            "still open before their needed-by date), by the prospect's segment"
        ),
        unit=PERCENT,
        seed="002 (under 70% is a sourcing problem)",
        group="references",
        value=lambda ev: _rate(ev.desk["filled"], ev.desk["filed"] - ev.desk["pending"]),
        rows=lambda ev: ev.reference_requests(),
    ),
    M(
        code="time_to_fill",
        name="Time to fill",
        formula=(
            "mean days from a reference request filed to an accepted advocate scheduled, over "
            "the requests filed in the period that were filled"
        ),
        unit=DAYS,
        seed="002",
        group="references",
        value=_time_to_fill,
        rows=lambda ev: ev.reference_requests().filter(filled_at__isnull=False),
        higher_is_better=False,
    ),
    M(
        code="reference_availability",
        name="Reference availability",
        formula=(
            "advocates of the reference pool who could take a call now / reference requests "
            "open now"
        ),
        unit=RATIO,
        seed="001 (target 5:1)",
        group="references",
        value=lambda ev: _rate(ev.available_references().count(), ev.desk["open_now"], 1.0),
        rows=lambda ev: Contact.objects.filter(
            pk__in=ev.available_references().values("contact_id")
        ),
    ),
    M(
        code="influenced_pipeline",
        name="Advocate-influenced pipeline",
        formula=(
            "amount of the synced deals still open and opened in the period that a reference "
            "call held, a content asset reused in the deal or a referral influenced, each deal "
            "once; by the account's segment. With no deal synced: the amounts of the reference "
            "requests filed in the period and filled whose opportunity is still open"
        ),
        unit=AMOUNT,
        seed="002, 003",
        group="references",
        value=lambda ev: _amount(ev, "pipeline"),
        rows=_amount_rows("pipeline", OpportunityResult.OPEN),
    ),
    M(
        code="influenced_revenue",
        name="Advocate-influenced revenue",
        formula=(
            "amount of the synced deals won with a close date in the period that a reference "
            "call held, a content asset reused in the deal or a referral influenced, each deal "
            "once; by the account's segment. With no deal synced: the amounts of the reference "
            "requests filed in the period and filled whose opportunity was won"
        ),
        unit=AMOUNT,
        seed="001, 002, 003",
        group="references",
        value=lambda ev: _amount(ev, "revenue"),
        rows=_amount_rows("revenue", OpportunityResult.WON),
    ),
    *(
        M(
            code=f"influenced_{which}_{source}",
            name=f"Influenced {which} by {label}",
            formula=(
                f"amount of the synced deals {window} that {touch}, each deal once (a deal "
                "influenced by other sources too counts here as well); none without deals synced"
            ),
            unit=AMOUNT,
            seed="002, 003",
            group="references",
            value=_by_source_value(which, source),
            rows=_by_source_rows(which, source),
        )
        for which, window in (
            ("pipeline", "still open and opened in the period"),
            ("revenue", "won with a close date in the period"),
        )
        for source, label, touch in (
            ("reference", "references", "had a reference call held (a request for it completed)"),
            ("content", "content", "had a content asset use recorded for them"),
            ("referral", "referrals", "a referral became (its prospect a contact of the deal)"),
        )
    ),
    M(
        code="reference_win_share",
        name="Deals won with reference call influence",
        formula=(
            "synced deals won with a close date in the period that had a reference call held / "
            "all synced deals won in the period; by the account's segment"
        ),
        unit=PERCENT,
        seed="003",
        group="references",
        value=_win_share,
        rows=lambda ev: ev.deals().filter(ev.deal_window("revenue")),
    ),
    M(
        code="deal_cycle_acceleration",
        name="Deal cycle acceleration",
        formula=(
            "mean days from opened to closed of the synced deals won in the period without a "
            "reference call held - the same for those with one (positive: faster with a "
            "reference); deals without both dates left out"
        ),
        unit=DAYS,
        seed="003 (average influence on deal cycle)",
        group="references",
        value=_acceleration,
        rows=lambda ev: ev.deals().filter(
            ev.deal_window("revenue"), opened_at__isnull=False, closed_on__isnull=False
        ),
    ),
    M(
        code="referral_pipeline",
        name="Referral-sourced pipeline",
        formula=(
            "deal amounts of the referrals (as recorded by advocates, the team or the public "
            "form) that first reached qualified in the period, each referral once, whatever "
            "became of it later; by the referrer's segment"
        ),
        unit=AMOUNT,
        seed="003, 004",
        group="references",
        value=lambda ev: _referred(ev, "pipeline"),
        rows=lambda ev: ev.referral_sourced("pipeline"),
    ),
    M(
        code="referral_revenue",
        name="Referral-sourced revenue",
        formula=(
            "deal amounts of the referrals closed won in the period, each referral once; by "
            "the referrer's segment"
        ),
        unit=AMOUNT,
        seed="003, 004",
        group="references",
        value=lambda ev: _referred(ev, "revenue"),
        rows=lambda ev: ev.referral_sourced("revenue"),
    ),
    M(
        code="influenced_expansion",
        name="Advocacy-influenced expansion",
        formula=(
            "expansions in the period on accounts with an advocacy activity (review, reference, "
            "referral) or an ask completed or published in the 180 days before the expansion"
        ),
        unit=COUNT,
        seed="000 s.10 (baseline unknown, target: a defined baseline)",
        group="references",
        value=lambda ev: (ev.expansion["counted"], None, ev.expansion["expansions"]),
        rows=lambda ev: ev.influenced_expansions(),
    ),
    M(
        code="influenced_expansion_amount",
        name="Advocacy-influenced expansion amount",
        formula=(
            "sum of the amounts (the signal's value) of the advocacy-influenced expansions in "
            "the period; an expansion without an amount adds nothing"
        ),
        unit=AMOUNT,
        seed="000 s.10",
        group="references",
        value=lambda ev: (
            float(ev.expansion["amount"]),
            ev.expansion["with_amount"],
            ev.expansion["counted"],
        ),
        rows=lambda ev: ev.influenced_expansions(),
    ),
    M(
        code="content_reuse",
        name="Content reuse",
        formula=(
            "recorded uses of approved or published assets in the period (website, sales deck, "
            "press, social...); refused attempts are not counted"
        ),
        unit=COUNT,
        seed="000 s.8, 003 (content impact)",
        group="content",
        value=lambda ev: _count(ev.content_uses().count()),
        rows=lambda ev: ev.content_uses(),
    ),
)
BY_CODE: dict[str, Metric] = {m.code: m for m in CATALOGUE}
SOURCES = ("reference", "content", "referral")
GROUPS = {
    "program": "Program",
    "activity": "Activity",
    "pipeline": "Pipeline",
    "satisfaction": "Satisfaction",
    "references": "References and revenue",
    "content": "Content",
}
SUBJECTS: dict[str, str] = {
    **{m: "contacts" for m in ("advocates", "advocate_coverage", "advocacy_ready_accounts")},
    **{m: "contacts" for m in ("active_advocates", "activation_rate", "new_advocates")},
    **{m: "contacts" for m in ("advocate_retention", "activities_per_advocate")},
    **{m: "signals" for m in ("reviews", "review_velocity")},
    **{m: "signals" for m in ("review_rating", "referrals", "reference_calls", "nps")},
    **{m: "signals" for m in ("advocate_nps", "influenced_expansion")},
    "influenced_expansion_amount": "signals",
    **{m: "events" for m in ("case_studies_published", "testimonials_published")},
    "time_to_publish": "events",
    **{m: "requests" for m in ("reference_fill_rate", "time_to_fill")},
    **{m: "deals" for m in ("influenced_pipeline", "influenced_revenue")},
    **{f"influenced_{w}_{s}": "deals" for w in ("pipeline", "revenue") for s in SOURCES},
    **{m: "deals" for m in ("reference_win_share", "deal_cycle_acceleration")},
    **{m: "referrals" for m in ("referral_pipeline", "referral_revenue")},
    "reference_availability": "contacts",
    "content_reuse": "uses",
    **{m: "asks" for m in ("asks_opened", "ask_acceptance", "ask_completion", "ask_to_publish")},
    **{m: "asks" for m in ("case_study_conversion", "review_response_rate")},
    "play_lift": "decisions",
}


class UnknownMetric(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown metric {code!r}: expected one of {', '.join(BY_CODE)}")


def metric(code: str) -> Metric:
    if code not in BY_CODE:
        raise UnknownMetric(code)
    return BY_CODE[code]


def evaluate(ev: Evaluation, codes: list[str] | None = None) -> list[MetricValue]:
    """Every metric of the catalogue (or those named) for the evaluation's period and segment."""
    chosen = CATALOGUE if codes is None else tuple(metric(c) for c in codes)
    return [compute(m, ev) for m in chosen]


def rows(m: Metric, ev: Evaluation) -> QuerySet[Any]:
    """The rows behind a metric's number (its denominator's for a rate)."""
    if m.rows is None:
        raise UnknownMetric(m.code)
    return m.rows(ev)
