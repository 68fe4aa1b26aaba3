"""The aggregate queries behind the catalogue, each run once per (period, segment).

An `Evaluation` holds the period, the segment, the moment and the policy, and computes each
shared aggregate lazily with one query: the metrics of the catalogue read their numbers from
these, so a dashboard of thirty numbers costs about a dozen queries whatever the program's size.
Nothing here loops over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat, NullIf, TruncDate, TruncMonth

from advocacy.content.models import AssetUse, UseOutcome
from advocacy.customers.models import Account, Contact, Deal, DealContact
from advocacy.engine.conditions import compile_condition
from advocacy.engine.models import ContactProfile, Decision, Outcome
from advocacy.engine.policy import Policy
from advocacy.engine.rules import eligibility_condition
from advocacy.metrics.periods import Period, Segment
from advocacy.pipeline.models import Ask, AskEvent, AskQuerySet
from advocacy.references.models import (
    OpportunityResult,
    ReferenceAdvocate,
    ReferenceRequest,
    RequestStatus,
)
from advocacy.referrals.models import Referral, ReferralStatus
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS, Signal, SignalKind

K = SignalKind
# What counts as an advocacy activity: the one list, which the engine's `activities_12m` counts.
ACTIVITY_KINDS = ADVOCACY_ACTIVITY_KINDS
ADVOCATE_RUNGS = ("advocate", "champion", "ambassador")
RUNGS = ("none", "satisfied", "engaged", "advocate", "champion", "ambassador")
ACTIVE_DAYS = 90  # seed 002 and 003: activity in the last 90 days
LIFT_WINDOW_DAYS = 30  # an advocacy activity within this many days of the decision converts
# An expansion is advocacy-influenced when its account had an advocacy activity, or an ask
# completed or published, in this many days before it (seed 000's scorecard leaves the rule to
# be defined; see docs/metrics.md).
INFLUENCE_DAYS = 180
INFLUENCING_STAGES = ("completed", "published")
FUNNEL = ("opened", "sent", "accepted", "completed", "published", "declined")
MANUAL = "manual"
DIMENSIONS = {
    "play": "ask__play",
    "moment": "ask__trigger_signal__kind",
    "persona": "ask__contact__persona",
    "channel": "ask__channel",
    "ask_type": "ask__ask_type__code",
}
# Seed 001's review generation tactics with their expected response, first match wins.
TACTICS: tuple[tuple[str, str, Q, tuple[int, int]], ...] = (
    ("nps_follow_up", "NPS follow-up", Q(ask__trigger_signal__kind=K.NPS), (50, 70)),
    ("csm_personal_ask", "CSM personal ask", Q(ask__play=""), (40, 60)),
    ("in_app_prompt", "In-app prompt", Q(ask__channel="in_app"), (10, 15)),
    (
        "post_success_email",
        "Post-success email",
        Q(ask__trigger_signal__kind__in=[K.USAGE_MILESTONE, K.RESULT_SHARED]),
        (20, 30),
    ),
)
OTHER_TACTIC = "other"


def referral_ref() -> Coalesce:
    """Which referral a `referral_status` signal updates: its payload's `referral_id`, else the
    signal itself (its source and key), so a status without an id is a referral of its own."""
    return Coalesce(
        NullIf(KT("payload__referral_id"), Value("")),
        Concat(Value("signal:"), F("source"), Value(":"), F("key"), output_field=CharField()),
        output_field=CharField(),
    )


# What the engine's gate reads that a refreshed profile does not keep: from the account.
GATE_COLUMNS: dict[str, Any] = {
    "customer_since": F("contact__account__customer_since"),
    "has_csm": Case(
        When(contact__account__owner__isnull=False, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    ),
}


def eligible_q(policy: Policy, now: datetime) -> Q:
    """Who may be asked at all: the engine's gate of every advocacy ask
    (`advocacy.engine.rules.eligibility_condition`: NPS and its recency, health, tenure, recent
    use, a CSM owning the account), compiled by the one condition compiler over a refreshed
    profile (`Evaluation.profiles`, which carries `GATE_COLUMNS`). Reachability (not left, not
    opted out) is the profile rows' own filter. The only place metrics define eligibility.
    """
    return compile_condition(eligibility_condition(policy), now)


def ratio(numerator: float | None, denominator: float | None, scale: float = 100.0) -> float | None:
    """numerator / denominator x scale, None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale


@dataclass(frozen=True)
class Lift:
    """A play's conversion when asked beside its holdout's, in percentage points with a 95% CI."""

    play: str
    asked: int
    asked_converted: int
    held_out: int
    held_out_converted: int
    title: str = ""  # the play's title, as the team reads it

    @property
    def asked_rate(self) -> float | None:
        return ratio(self.asked_converted, self.asked)

    @property
    def held_out_rate(self) -> float | None:
        return ratio(self.held_out_converted, self.held_out)

    @property
    def lift(self) -> float | None:
        if self.asked_rate is None or self.held_out_rate is None:
            return None
        return self.asked_rate - self.held_out_rate

    @property
    def interval(self) -> tuple[float, float] | None:
        """The normal approximation (Wald) of the difference of two proportions, 95%."""
        if self.lift is None:
            return None
        p1, p2 = self.asked_converted / self.asked, self.held_out_converted / self.held_out
        spread = 1.96 * ((p1 * (1 - p1) / self.asked + p2 * (1 - p2) / self.held_out) ** 0.5)
        return (self.lift - 100 * spread, self.lift + 100 * spread)


class Evaluation:
    """Every aggregate of the catalogue for one period and segment, each computed once."""

    def __init__(self, period: Period, segment: Segment, *, now: datetime, policy: Policy):
        self.period, self.segment, self.now, self.policy = period, segment, now, policy

    # --- the rows each aggregate starts from (also what drill-downs list) ---------------------

    def profiles(self) -> QuerySet[ContactProfile]:
        """Profiles (as of their last refresh) of reachable contacts in the segment.

        Written as IN-subqueries rather than joins: the unreachable and the segment are small
        sets the database builds once, where a join would visit a contact per profile.
        """
        unreachable = Contact.objects.filter(
            Q(left_company_at__isnull=False) | Q(opted_out_at__isnull=False)
        ).values("pk")
        profiles = ContactProfile.objects.exclude(contact_id__in=unreachable).annotate(
            **GATE_COLUMNS
        )
        seg = self.segment
        if seg.industry or seg.region or seg.size_band:
            by_account = Segment(industry=seg.industry, region=seg.region, size_band=seg.size_band)
            accounts = Account.objects.filter(by_account.q(contact="", account="")).values("pk")
            profiles = profiles.filter(account_id__in=accounts)
        if seg.persona:
            profiles = profiles.filter(contact__persona=seg.persona)
        return profiles

    def signals(self, kinds: tuple[str, ...], period: Period | None = None) -> QuerySet[Signal]:
        period = period or self.period
        return Signal.objects.filter(
            self.segment.q(contact="contact__", account="account__"),
            kind__in=kinds,
            occurred_at__gte=period.start,
            occurred_at__lt=period.end,
        )

    def reference_requests(self, *, in_period: bool = True) -> QuerySet[ReferenceRequest]:
        """Reference requests (not cancelled) filed in the period, by the prospect's segment
        (industry, region, size band; a persona does not apply to a prospect)."""
        seg = self.segment
        requests = ReferenceRequest.objects.exclude(status=RequestStatus.CANCELLED)
        if seg.industry:
            requests = requests.filter(industry__iexact=seg.industry)
        for key in ("region", "size_band"):
            if value := getattr(seg, key):
                requests = requests.filter(**{key: value})
        if in_period:
            requests = requests.filter(
                filed_at__gte=self.period.start, filed_at__lt=self.period.end
            )
        return requests

    @cached_property
    def desk(self) -> dict[str, Any]:
        """The reference desk in one query: requests filed in the period, filled, still
        pending (open or offered before their needed-by date), the mean time to fill, the
        requests open now, and the amounts of the opportunities a reference touched (open:
        influenced pipeline; won: influenced revenue), each opportunity once."""
        period = Q(filed_at__gte=self.period.start, filed_at__lt=self.period.end)
        working = [RequestStatus.OPEN, RequestStatus.OFFERED]
        filled = period & Q(filled_at__isnull=False)
        waited = ExpressionWrapper(F("filled_at") - F("filed_at"), output_field=DurationField())
        influenced = period & self._latest_touched()
        return self.reference_requests(in_period=False).aggregate(
            filed=Count("pk", filter=period),
            filled=Count("pk", filter=filled),
            pending=Count(
                "pk",
                filter=period
                & Q(filled_at__isnull=True, status__in=working, needed_by__gte=self.now.date()),
            ),
            to_fill=Avg(waited, filter=filled),
            open_now=Count("pk", filter=Q(status__in=working)),
            pipeline=Sum("amount", filter=influenced & Q(result=OpportunityResult.OPEN), default=0),
            pipeline_deals=Count("pk", filter=influenced & Q(result=OpportunityResult.OPEN)),
            revenue=Sum("amount", filter=influenced & Q(result=OpportunityResult.WON), default=0),
            revenue_deals=Count("pk", filter=influenced & Q(result=OpportunityResult.WON)),
        )

    def referral_rows(self) -> QuerySet[Referral]:
        """Referrals (the rows advocates' referrals are recorded in), by the referrer's segment."""
        return Referral.objects.filter(
            self.segment.q(contact="advocate__", account="advocate__account__")
        )

    def _within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.period.start, f"{field}__lt": self.period.end})

    def referral_sourced(self, which: str) -> QuerySet[Referral]:
        """The referrals behind the pipeline (first qualified in the period) or the revenue
        (closed won in the period): each referral once, its row being the referral itself."""
        if which == "pipeline":
            return self.referral_rows().filter(self._within("qualified_at"))
        return self.referral_rows().filter(
            self._within("closed_at"), status=ReferralStatus.CLOSED_WON
        )

    # --- attribution on the deals the CRM sync keeps (docs/metrics.md "Attribution") -----------

    @cached_property
    def has_deals(self) -> bool:
        """Whether any deal was synced (in any segment): without one, the influenced amounts
        fall back to the reference requests' own amounts (`desk`). Read from `attribution`."""
        return bool(self.attribution["synced"])

    def _deal_segment(self) -> Q:
        """Deals by their account's segment (a persona does not apply to a deal)."""
        seg = self.segment
        by_account = Segment(industry=seg.industry, region=seg.region, size_band=seg.size_band)
        return by_account.q(contact="", account="account__")

    @staticmethod
    def _marked(deals: QuerySet[Deal]) -> QuerySet[Deal]:
        """Each deal marked by the sources that influenced it: `by_reference` (a reference call
        held for it: a request whose `opportunity_ref` is the deal's id, completed),
        `by_content` (an asset use recorded for it: its `opportunity_ref`), `by_referral` (a
        referral whose prospect's email is a contact of the deal), `influenced` (any of them)."""
        called = ReferenceRequest.objects.filter(
            opportunity_ref=OuterRef("external_id"), status=RequestStatus.COMPLETED
        )
        reused = AssetUse.objects.filter(
            opportunity_ref=OuterRef("external_id"), outcome=UseOutcome.RECORDED
        )
        referred = DealContact.objects.filter(
            deal_id=OuterRef("pk"),
            contact__email__in=Referral.objects.values("prospect_email"),
        )
        flag = BooleanField()
        return deals.annotate(
            by_reference=Exists(called),
            by_content=Exists(reused),
            by_referral=Exists(referred),
        ).annotate(
            influenced=ExpressionWrapper(
                Q(by_reference=True) | Q(by_content=True) | Q(by_referral=True), output_field=flag
            )
        )

    def deals(self) -> QuerySet[Deal]:
        """Synced deals in the segment, each marked by its sources (`_marked`)."""
        return self._marked(Deal.objects.filter(self._deal_segment()))

    def deal_window(self, which: str) -> Q:
        """The deals a figure counts: `pipeline`, still open and opened (created in the CRM)
        in the period; `revenue`, won with a close date in the period."""
        if which == "pipeline":
            return Q(is_closed=False) & self._within("opened_at")
        last = (self.period.end - timedelta(microseconds=1)).date()
        return Q(is_won=True, closed_on__gte=self.period.start.date(), closed_on__lte=last)

    def influenced_deals(self, which: str, source: str = "") -> QuerySet[Deal]:
        """The deals behind an influenced amount, each once: of the `which` window, influenced
        by `source` (reference, content, referral) or by any."""
        flag = f"by_{source}" if source else "influenced"
        return self.deals().filter(self.deal_window(which), **{flag: True})

    @cached_property
    def attribution(self) -> dict[str, Any]:
        """Influenced pipeline and revenue on the synced deals in one query: per source and in
        total (a deal influenced by two sources counts once in each and once in the total),
        the won deals with a reference call held among all won, the mean days from opened
        to closed of the won deals with reference influence and without, and how many deals
        were synced at all (`synced`, whatever the segment: the fallback's switch)."""
        seg = self._deal_segment()
        figures: dict[str, Any] = {"synced": Count("pk")}
        for which in ("pipeline", "revenue"):
            window = seg & self.deal_window(which)
            for source in ("", "reference", "content", "referral"):
                flag = Q(**{f"by_{source}" if source else "influenced": True})
                key = f"{which}_{source}" if source else which
                figures[key] = Sum("amount", filter=window & flag, default=0)
                figures[f"{key}_deals"] = Count("pk", filter=window & flag)
        won = seg & self.deal_window("revenue")
        dated = won & Q(opened_at__isnull=False, closed_on__isnull=False)
        cycle = ExpressionWrapper(
            F("closed_on") - TruncDate("opened_at"), output_field=DurationField()
        )
        figures["wins_referenced"] = Count("pk", filter=won & Q(by_reference=True))
        figures["cycle_with"] = Avg(cycle, filter=dated & Q(by_reference=True))
        figures["cycle_with_n"] = Count("pk", filter=dated & Q(by_reference=True))
        figures["cycle_without"] = Avg(cycle, filter=dated & Q(by_reference=False))
        figures["cycle_without_n"] = Count("pk", filter=dated & Q(by_reference=False))
        figures["wins"] = Count("pk", filter=won)
        return self._marked(Deal.objects.all()).aggregate(**figures)

    @cached_property
    def referred(self) -> dict[str, Any]:
        """Referral-sourced pipeline and revenue in one query over the referral rows: the deal
        amounts (cents) of the referrals first qualified in the period, and of those closed won
        in it, with how many."""
        qualified = self._within("qualified_at")
        won = self._within("closed_at") & Q(status=ReferralStatus.CLOSED_WON)
        return self.referral_rows().aggregate(
            pipeline=Sum("deal_cents", filter=qualified, default=0),
            pipeline_deals=Count("pk", filter=qualified),
            revenue=Sum("deal_cents", filter=won, default=0),
            revenue_deals=Count("pk", filter=won),
        )

    def _latest_touched(self) -> Q:
        """A request filled (a call scheduled or held) and the latest for its opportunity: the
        one that decides the opportunity's result (a request without a CRM id stands alone)."""
        later = ReferenceRequest.objects.exclude(status=RequestStatus.CANCELLED).filter(
            filled_at__isnull=False,
            opportunity_ref=OuterRef("opportunity_ref"),
            pk__gt=OuterRef("pk"),
        )
        return Q(filled_at__isnull=False) & (Q(opportunity_ref="") | Q(~Exists(later)))

    def influenced_requests(self, result: str) -> QuerySet[ReferenceRequest]:
        """Opportunities a reference touched, one request each: filed in the period, filled,
        the latest for their opportunity, with the given `result` (open, won, lost)."""
        return self.reference_requests().filter(self._latest_touched(), result=result)

    def available_references(self) -> QuerySet[ReferenceAdvocate]:
        """Advocates of the reference pool who could take a call now: ready, not in a quiet
        spell, their tap cap open; by their account's segment."""
        now, seg = self.now, self.segment
        pool = ReferenceAdvocate.objects.filter(ready=True).filter(
            Q(quiet_until__isnull=True) | Q(quiet_until__lte=now),
            Q(next_allowed_at__isnull=True) | Q(next_allowed_at__lte=now),
        )
        if seg.industry:
            pool = pool.filter(industry__iexact=seg.industry)
        for key in ("region", "size_band"):
            if value := getattr(seg, key):
                pool = pool.filter(**{key: value})
        if seg.persona:
            pool = pool.filter(contact__persona=seg.persona)
        return pool

    def content_uses(self) -> QuerySet[AssetUse]:
        """Recorded (not refused) uses of assets in the period, by the advocate's segment."""
        return AssetUse.objects.filter(
            self.segment.q(contact="asset__contact__", account="asset__account__"),
            outcome=UseOutcome.RECORDED,
            at__gte=self.period.start,
            at__lt=self.period.end,
        )

    def asks(self) -> QuerySet[Ask]:
        """Asks opened in the period, in the segment."""
        return Ask.objects.filter(
            self.segment.q(contact="contact__", account="contact__account__"),
            opened_at__gte=self.period.start,
            opened_at__lt=self.period.end,
        )

    def events(self) -> QuerySet[AskEvent]:
        """The events of the asks opened in the period."""
        return AskEvent.objects.filter(
            self.segment.q(contact="ask__contact__", account="ask__contact__account__"),
            ask__opened_at__gte=self.period.start,
            ask__opened_at__lt=self.period.end,
        )

    def published_events(self) -> QuerySet[AskEvent]:
        """Asks published in the period (whenever they were opened)."""
        return AskEvent.objects.filter(
            self.segment.q(contact="ask__contact__", account="ask__contact__account__"),
            to_status="published",
            at__gte=self.period.start,
            at__lt=self.period.end,
        )

    def decisions(self) -> QuerySet[Decision]:
        return Decision.objects.filter(
            self.segment.q(contact="contact__", account="contact__account__"),
            decided_at__gte=self.period.start,
            decided_at__lt=self.period.end,
            outcome__in=[Outcome.ASKED, Outcome.HELD_OUT],
        )

    @property
    def active_period(self) -> Period:
        return Period.trailing(ACTIVE_DAYS, self.period.end, f"{ACTIVE_DAYS} days to the end")

    # --- aggregates ---------------------------------------------------------------------------

    @cached_property
    def population(self) -> dict[str, int]:
        """Advocates, the eligible, their overlap, ready accounts, and every rung: one query."""
        eligible = eligible_q(self.policy, self.now)
        advocate = Q(rung__in=ADVOCATE_RUNGS)
        counts = {f"rung_{rung}": Count("pk", filter=Q(rung=rung)) for rung in RUNGS}
        return self.profiles().aggregate(
            contacts=Count("pk"),
            advocates=Count("pk", filter=advocate),
            eligible=Count("pk", filter=eligible),
            covered=Count("pk", filter=eligible & advocate),
            ready_contacts=Count("pk", filter=~Q(ready="")),
            ready_accounts=Count("account_id", filter=~Q(ready=""), distinct=True),
            **counts,
        )

    @cached_property
    def activity(self) -> dict[str, Any]:
        """Advocacy activities in the period by kind, those of the current advocates (the pool
        as of the profiles' last refresh), the average review rating: one query."""
        by_kind = {f"n_{kind}": Count("pk", filter=Q(kind=kind)) for kind in ACTIVITY_KINDS}
        pool = self.profiles().filter(rung__in=ADVOCATE_RUNGS).values("contact_id")
        return self.signals(ACTIVITY_KINDS).aggregate(
            activities=Count("pk"),
            people=Count("contact_id", distinct=True),
            by_advocates=Count("pk", filter=Q(contact_id__in=pool)),
            rating=Avg("value", filter=Q(kind=K.REVIEW_PUBLISHED)),
            rated=Count("value", filter=Q(kind=K.REVIEW_PUBLISHED)),
            **by_kind,
        )

    def referral_firsts(self) -> QuerySet[Signal]:
        """The first status signal of each referral whose first status falls in the period (a
        later status of the same referral, or one before the period, is not a new referral).
        Ties on the moment go to the lower id."""
        statuses = Signal.objects.filter(kind=K.REFERRAL_STATUS).annotate(ref=referral_ref())
        earlier = statuses.filter(ref=OuterRef("ref")).filter(
            Q(occurred_at__lt=OuterRef("occurred_at"))
            | Q(occurred_at=OuterRef("occurred_at"), pk__lt=OuterRef("pk"))
        )
        return (
            self.signals((K.REFERRAL_STATUS,)).annotate(ref=referral_ref()).exclude(Exists(earlier))
        )

    @cached_property
    def referrals(self) -> int:
        """Distinct referrals whose first status signal falls in the period: one query."""
        return int(self.referral_firsts().aggregate(n=Count("pk"))["n"])

    def expansions(self) -> QuerySet[Signal]:
        """Expansion signals in the period (account-level facts, by the account's segment),
        each marked `influenced`: its account had an advocacy activity (a signal of
        ACTIVITY_KINDS) or an ask completed or published in the INFLUENCE_DAYS before it."""
        before = OuterRef("occurred_at")
        since = OuterRef("occurred_at") - timedelta(days=INFLUENCE_DAYS)
        activity = Signal.objects.filter(
            account_id=OuterRef("account_id"),
            kind__in=ACTIVITY_KINDS,
            occurred_at__lt=before,
            occurred_at__gte=since,
        )
        asked = AskEvent.objects.filter(
            ask__contact__account_id=OuterRef("account_id"),
            to_status__in=INFLUENCING_STAGES,
            at__lt=before,
            at__gte=since,
        )
        return self.signals((K.EXPANSION,)).annotate(
            influenced=ExpressionWrapper(
                Exists(activity) | Exists(asked), output_field=BooleanField()
            )
        )

    def influenced_expansions(self) -> QuerySet[Signal]:
        return self.expansions().filter(Q(influenced=True))

    @cached_property
    def expansion(self) -> dict[str, Any]:
        """Expansions in the period, those advocacy influenced and their amount: one query."""
        influenced = Q(influenced=True)
        return self.expansions().aggregate(
            expansions=Count("pk"),
            counted=Count("pk", filter=influenced),
            amount=Sum("value", filter=influenced, default=0.0),
            with_amount=Count("value", filter=influenced),
        )

    def active_advocates(self) -> QuerySet[Signal]:
        return self.signals(ACTIVITY_KINDS, self.active_period).filter(
            contact__profile__rung__in=ADVOCATE_RUNGS,
            contact__left_company_at__isnull=True,
            contact__opted_out_at__isnull=True,
        )

    @cached_property
    def active(self) -> int:
        """Current advocates with an advocacy activity in the 90 days to the period's end."""
        return self.active_advocates().aggregate(n=Count("contact_id", distinct=True))["n"]

    def new_advocate_signals(self) -> QuerySet[Signal]:
        """Activities in the period by contacts with none before it: their first ever."""
        earlier = Signal.objects.filter(
            contact_id=OuterRef("contact_id"),
            kind__in=ACTIVITY_KINDS,
            occurred_at__lt=self.period.start,
        )
        return self.signals(ACTIVITY_KINDS).filter(contact__isnull=False).exclude(Exists(earlier))

    @cached_property
    def new_advocates(self) -> int:
        found = self.new_advocate_signals().aggregate(n=Count("contact_id", distinct=True))
        return int(found["n"])

    @cached_property
    def retention(self) -> dict[str, int]:
        """Of those active in the year before last, how many were active again in the last."""
        end = self.period.end
        year_ago, two = end - timedelta(days=365), end - timedelta(days=730)
        per_contact = (
            Signal.objects.filter(
                self.segment.q(contact="contact__", account="account__"),
                kind__in=ACTIVITY_KINDS,
                contact__isnull=False,
                occurred_at__gte=two,
                occurred_at__lt=end,
            )
            .values("contact_id")
            .annotate(
                before=Count("pk", filter=Q(occurred_at__lt=year_ago)),
                since=Count("pk", filter=Q(occurred_at__gte=year_ago)),
            )
        )
        return per_contact.aggregate(
            prior=Count("contact_id", filter=Q(before__gt=0)),
            kept=Count("contact_id", filter=Q(before__gt=0, since__gt=0)),
        )

    @cached_property
    def nps(self) -> dict[str, int]:
        """NPS answers in the period, all and those of current advocates: one query."""
        advocates = ContactProfile.objects.filter(rung__in=ADVOCATE_RUNGS).values("contact_id")
        advocate = Q(contact_id__in=advocates)
        return self.signals((K.NPS,)).aggregate(
            answers=Count("pk"),
            promoters=Count("pk", filter=Q(value__gte=9)),
            detractors=Count("pk", filter=Q(value__lte=6)),
            advocate_answers=Count("pk", filter=advocate),
            advocate_promoters=Count("pk", filter=advocate & Q(value__gte=9)),
            advocate_detractors=Count("pk", filter=advocate & Q(value__lte=6)),
        )

    def funnel_by(self, dimension: str) -> dict[str, dict[str, int]]:
        """Asks opened in the period that reached each stage, per value of `dimension`."""
        path = DIMENSIONS[dimension]
        rows = (
            self.events()
            .annotate(key=Coalesce(path, Value(MANUAL)))
            .values("key", "to_status")
            .annotate(n=Count("ask_id", distinct=True))
            .order_by()
        )
        opened = (
            self.events()
            .filter(from_status="")
            .annotate(key=Coalesce(path, Value(MANUAL)))
            .values("key")
            .annotate(n=Count("ask_id", distinct=True))
            .order_by()
        )
        table: dict[str, dict[str, int]] = {}
        for row in opened:
            table.setdefault(row["key"] or MANUAL, dict.fromkeys(FUNNEL, 0))["opened"] = row["n"]
        for row in rows:
            stages = table.setdefault(row["key"] or MANUAL, dict.fromkeys(FUNNEL, 0))
            if row["to_status"] in stages and row["to_status"] != "opened":
                stages[row["to_status"]] += row["n"]
        return dict(sorted(table.items()))

    @cached_property
    def by_ask_type(self) -> dict[str, dict[str, int]]:
        return self.funnel_by("ask_type")

    @cached_property
    def funnel(self) -> dict[str, int]:
        """The whole funnel: the per-ask-type counts summed (an ask has one type)."""
        total = dict.fromkeys(FUNNEL, 0)
        for stages in self.by_ask_type.values():
            for stage, n in stages.items():
                total[stage] += n
        return total

    @cached_property
    def published(self) -> dict[str, Any]:
        """Asks published in the period by ask type, and their mean days from opened."""
        took = ExpressionWrapper(F("at") - F("ask__opened_at"), output_field=DurationField())
        rows = (
            self.published_events()
            .values("ask__ask_type__code")
            .annotate(n=Count("ask_id", distinct=True))
            .order_by()
        )
        mean = self.published_events().aggregate(mean=Avg(took))["mean"]
        return {
            "by_type": {row["ask__ask_type__code"]: row["n"] for row in rows},
            "mean_days": None if mean is None else mean.total_seconds() / 86400,
        }

    @cached_property
    def send_window(self) -> dict[str, int]:
        """Asks opened in the period with a send-by moment, and those that missed it by `now`
        (the rule of `AskQuerySet.missed_send_window`): two queries."""
        return {
            "with_window": self.asks().filter(send_by__isnull=False).count(),
            "missed": cast(AskQuerySet, self.asks()).missed_send_window(self.now).count(),
        }

    @cached_property
    def tactics(self) -> dict[str, dict[str, int]]:
        """Review asks opened in the period by seed 001's tactic, sent and accepted."""
        tactic = Case(
            *(When(q, then=Value(code)) for code, _, q, _ in TACTICS),
            default=Value(OTHER_TACTIC),
        )
        rows = (
            self.events()
            .filter(ask__ask_type__code="review", to_status__in=["sent", "accepted"])
            .annotate(tactic=tactic)
            .values("tactic", "to_status")
            .annotate(n=Count("ask_id", distinct=True))
            .order_by()
        )
        table: dict[str, dict[str, int]] = {}
        for row in rows:
            table.setdefault(row["tactic"], {"sent": 0, "accepted": 0})[row["to_status"]] = row["n"]
        return table

    def converted(self) -> Exists:
        return Exists(
            Signal.objects.filter(
                contact_id=OuterRef("contact_id"),
                kind__in=ACTIVITY_KINDS,
                occurred_at__gt=OuterRef("decided_at"),
                occurred_at__lte=OuterRef("decided_at") + timedelta(days=LIFT_WINDOW_DAYS),
            )
        )

    @cached_property
    def lifts(self) -> list[Lift]:
        """Each play's asked and held-out decisions in the period and how many converted."""
        rows = (
            self.decisions()
            .annotate(converted=self.converted())
            .values("play__name", "play__title", "outcome")
            .annotate(n=Count("pk"), c=Count("pk", filter=Q(converted=True)))
            .order_by()
        )
        table: dict[str, dict[str, int]] = {}
        titles: dict[str, str] = {}
        for row in rows:
            titles[row["play__name"]] = row["play__title"]
            counts = table.setdefault(row["play__name"], {})
            counts[row["outcome"]], counts[f"{row['outcome']}_c"] = row["n"], row["c"]
        return [
            Lift(
                play,
                c.get(Outcome.ASKED, 0),
                c.get(f"{Outcome.ASKED}_c", 0),
                c.get(Outcome.HELD_OUT, 0),
                c.get(f"{Outcome.HELD_OUT}_c", 0),
                titles[play],
            )
            for play, c in sorted(table.items())
        ]

    @cached_property
    def overall_lift(self) -> Lift:
        return Lift(
            "all plays",
            sum(x.asked for x in self.lifts),
            sum(x.asked_converted for x in self.lifts),
            sum(x.held_out for x in self.lifts),
            sum(x.held_out_converted for x in self.lifts),
        )


def monthly(queryset: QuerySet[Any], field: str, key: str) -> list[dict[str, Any]]:
    """Rows counted per calendar month of `field` and value of `key`: one query."""
    return list(
        queryset.annotate(month=TruncMonth(field))
        .values("month", key)
        .annotate(n=Count("pk"))
        .order_by("month", key)
    )
