"""The practitioners' tables, row by row, through the service, the CLI and the REST API.

Each table of the source documents is a list of rows; each row builds one contact and says what
the product must decide for it. The same row is asked of the engine's service, of `advocacy
explain --json` / `advocacy asks open --json` / `advocacy run --json`, and of the API, and all
three must give the same answer: readiness with the exact reason codes that refuse it, a manual
ask opened or refused with its code, a play's decision with its code and ask type.

The tables (docs/policy.md says where each rule is enforced):
- ELIGIBILITY: seed 001's criteria (NPS 9-10, health 70+, tenure 3+ months, active use, a CSM
  relationship) and seed 003's additions for the reference program (6+ months, health above 75,
  measurable results for a case study);
- EXCLUSIONS: seed 003's list (NDA for every ask that names the customer, sensitive industries
  held for approval, unresolved support issues, churn risk, competitor-adjacent) and its edge
  cases (dissatisfied, opted out, left the company);
- STAGES: seed 000's map of lifecycle stage to fitting asks;
- FREQUENCY: seed 002's windows (high once a quarter, low monthly, each covering higher
  efforts), seed 001's per-activity frequency and seed 003's 1-3 reference calls a month;
- TRIGGERS: seed 000's triggers, each through its play.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.explain import next_best_asks
from advocacy.engine.models import AskTypePreference, Decision, Play
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import CapExceeded, Excluded, open_manual_ask
from advocacy.engine.tests.people import BASE, ENGAGED, MATURE, NOW, Person, build
from advocacy.people.models import ApiKey, Scope, User
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
AS_OF = NOW.isoformat()


@pytest.fixture
def csm(django_user_model: Any) -> User:
    load_playbook(now=NOW, learn=False)  # the plays' SQL is learnt by their first runs
    return django_user_model.objects.create_user("csm", "csm@example.com", "x", role="cs")


@pytest.fixture
def api(csm: User) -> Client:
    _, secret = ApiKey.issue(csm, "seed rules", list(Scope.values))
    return Client(headers={"Authorization": f"Bearer {secret}"})


def cli(*args: str) -> Any:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def refused_by(reasons: list[dict[str, Any]]) -> set[str]:
    return {r["code"] for r in reasons if not r["ok"]}


def readiness_everywhere(contact: Contact, code: str, api: Client) -> list[tuple[bool, set[str]]]:
    """(ready, codes of the reasons not met) for one ask type: service, CLI, API."""
    service = next(o for o in next_best_asks(contact, now=NOW).options if o.code == code)
    command = next(
        o for o in cli("explain", contact.email, "--as-of", AS_OF, "--json")["options"]
        if o["code"] == code
    )  # fmt: skip
    response = api.get(f"/api/contacts/{contact.pk}/next-best-asks", {"as_of": AS_OF})
    assert response.status_code == 200, response.content
    remote = next(o for o in response.json()["options"] if o["code"] == code)
    return [
        (service.ready, {r.code for r in service.reasons if not r.ok}),
        (command["ready"], refused_by(command["reasons"])),
        (remote["ready"], refused_by(remote["reasons"])),
    ]


ELIGIBILITY = [
    ("every criterion met", BASE, "review", set()),
    ("NPS 9, a promoter at the line", replace(BASE, nps=9), "review", set()),
    ("NPS 8, a passive", replace(BASE, nps=8), "review", {"nps_below_min"}),
    ("no NPS answer", replace(BASE, nps=None), "review", {"nps_below_min", "nps_stale"}),
    ("NPS answered 181 days ago", replace(BASE, nps_days=181), "review", {"nps_stale"}),
    ("health 70, at the line", replace(BASE, health=70), "review", set()),
    ("health 69", replace(BASE, health=69), "review", {"health_below_min"}),
    ("no health score", replace(BASE, health=None), "review", {"health_below_min"}),
    ("a customer for 90 days", replace(BASE, tenure_days=90), "review", set()),
    ("a customer for 89 days", replace(BASE, tenure_days=89), "review", {"tenure_below_min"}),
    ("last active 30 days ago", replace(BASE, active_days=30), "review", set()),
    ("last active 31 days ago", replace(BASE, active_days=31), "review", {"inactive"}),
    ("never active", replace(BASE, active_days=None), "review", {"inactive"}),
    ("no CSM owns the account", replace(BASE, owned=False), "review", {"no_csm_owner"}),
    # The reference program's must-haves.
    ("health 76 for a reference", replace(BASE, health=76), "reference_call", set()),
    ("health 75 for a reference", replace(BASE, health=75), "reference_call",
     {"health_below_min"}),
    ("180 days for a case study", replace(BASE, tenure_days=180), "case_study", set()),
    ("179 days for a case study", replace(BASE, tenure_days=179), "case_study",
     {"tenure_below_min"}),
    ("no result for a case study", replace(BASE, result_days=None), "case_study",
     {"results_missing"}),
    ("a result 366 days ago", replace(BASE, result_days=366), "case_study", {"results_missing"}),
]  # fmt: skip

EXCLUSIONS = [
    ("NDA: a public review names the company", replace(BASE, account={"nda": True}), "review",
     {"excluded_nda"}),
    ("NDA: a quote", replace(BASE, account={"nda": True}), "testimonial_quote", {"excluded_nda"}),
    ("NDA: a case study", replace(BASE, account={"nda": True}), "case_study", {"excluded_nda"}),
    ("NDA: a reference", replace(BASE, account={"nda": True}), "reference_call", {"excluded_nda"}),
    ("NDA: the anonymous quote", replace(BASE, account={"nda": True}), "anonymous_quote", set()),
    ("NDA: a referral names no one", replace(BASE, account={"nda": True}), "referral", set()),
    ("sensitive industry: held for approval", replace(BASE, account={"sensitive_industry": True}),
     "case_study", {"excluded_sensitive_industry"}),
    ("an unresolved support issue", replace(BASE, ticket_opened_days=20), "review",
     {"excluded_open_ticket"}),
    ("just after a support issue", replace(BASE, ticket_opened_days=10, ticket_closed_days=2),
     "review", {"excluded_recent_ticket"}),
    ("approaching churn risk", replace(BASE, account={"churn_risk": True}), "review",
     {"excluded_churn_risk"}),
    ("competitor-adjacent", replace(BASE, account={"competitor_adjacent": True}), "review",
     {"excluded_competitor_adjacent"}),
    ("dissatisfied: health 45", replace(BASE, health=45), "review",
     {"health_below_min", "excluded_dissatisfied"}),
    ("opted out", replace(BASE, opted_out=True), "review", {"excluded_opted_out"}),
    ("left the company", replace(BASE, left=True), "review", {"excluded_left_company"}),
]  # fmt: skip

STAGES = [
    ("activation: a customer of 11 days", replace(ENGAGED, tenure_days=11), "review",
     {"tenure_below_min", "stage_too_early"}),
    ("engagement: a review", ENGAGED, "review", set()),
    ("engagement: a testimonial", ENGAGED, "testimonial_quote", set()),
    ("engagement: too early for a referral", ENGAGED, "referral", {"stage_too_early"}),
    ("engagement: too early for a reference", ENGAGED, "reference_call", {"stage_too_early"}),
    ("expansion: a referral", BASE, "referral", set()),
    ("expansion: a reference", BASE, "reference_call", set()),
    ("expansion: a case study", BASE, "case_study", set()),
    ("expansion: a review still fits", BASE, "review", set()),
    ("expansion: too early to speak", BASE, "speaker",
     {"stage_too_early", "prerequisites_not_met"}),
    ("mature: a speaker", MATURE, "speaker", set()),
    ("mature: the advisory board", MATURE, "advisory_board", set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "person", "code", "refused"),
    [*ELIGIBILITY, *EXCLUSIONS, *STAGES],
    ids=[row[0] for row in [*ELIGIBILITY, *EXCLUSIONS, *STAGES]],
)
def test_each_row_is_decided_alike_by_the_service_the_cli_and_the_api(
    row: str, person: Person, code: str, refused: set[str], csm: User, api: Client
) -> None:
    contact = build(person, csm)
    ready = not refused
    assert readiness_everywhere(contact, code, api) == [(ready, refused)] * 3, row


def test_every_table_row_names_only_documented_codes() -> None:
    from advocacy.engine.rules import REASONS

    named = {c for table in (ELIGIBILITY, EXCLUSIONS, STAGES) for *_, codes in table for c in codes}
    assert named <= set(REASONS)


# --- frequency: the windows and each type's own limit, through manual asks -------------------

FREQUENCY = [
    # (row, earlier asks as (type, days before NOW), the ask now, the code that refuses or None)
    ("a review a month after a quote", [("testimonial_quote", 31)], "review", None),
    ("a review 29 days after a quote: the low window", [("testimonial_quote", 29)], "review",
     "cap_low_effort"),
    ("a case study 29 days after a review: the low window covers higher efforts",
     [("review", 29)], "case_study", "cap_low_effort"),
    ("a video 60 days after a case study: the high window", [("case_study", 60)],
     "video_testimonial", "cap_high_effort"),
    ("a speaker 60 days after a case study: very high is inside the high window",
     [("case_study", 60)], "speaker", "cap_high_effort"),
    ("a video 91 days after a case study", [("case_study", 91)], "video_testimonial", None),
    ("a second review within the quarter", [("review", 60)], "review", "cap_ask_type"),
    ("a second review after the quarter", [("review", 91)], "review", None),
    ("a testimonial once only", [("testimonial_quote", 400)], "testimonial_quote", "cap_ask_type"),
    ("a second talk within the year", [("speaker", 200)], "speaker", "cap_ask_type"),
    ("a second reference within the month", [("reference_call", 20)], "reference_call",
     "cap_ask_type"),
    ("a reference a month after the last", [("reference_call", 31)], "reference_call", None),
    ("a reference call takes no effort window", [("referral", 5)], "reference_call", None),
]  # fmt: skip


def earlier_asks(contact: Contact, asks: list[tuple[str, int]]) -> None:
    for i, (code, days) in enumerate(asks):
        request = AskRequest(contact.pk, AskType.objects.get(code=code), f"earlier:{i}")
        assert open_asks([request], now=NOW - dt.timedelta(days=days)).granted
    Ask.objects.filter(contact=contact).update(status="completed")  # none is open any more


@pytest.mark.parametrize(
    ("row", "asks", "code", "refused"), FREQUENCY, ids=[row[0] for row in FREQUENCY]
)
def test_each_frequency_row_opens_or_refuses_a_manual_ask(
    row: str, asks: list[tuple[str, int]], code: str, refused: str | None, csm: User, api: Client
) -> None:
    found = []
    for n, via in enumerate(("service", "cli", "api")):
        contact = build(MATURE, csm, n)  # every ask type fits a mature champion
        earlier_asks(contact, asks)
        found.append(manual_ask(via, contact, code, csm, api))
    assert found == [refused] * 3, row


def manual_ask(via: str, contact: Contact, code: str, csm: User, api: Client) -> str | None:
    """Open an ask by hand; None when it opened, else the code that refused it."""
    if via == "service":
        ask_type = AskType.objects.get(code=code)
        try:
            open_manual_ask(contact, ask_type, now=NOW, actor=csm, policy=DEFAULT_POLICY)
        except (Excluded, CapExceeded) as exc:
            return exc.codes[0] if isinstance(exc, Excluded) else exc.code
        return None
    if via == "cli":
        out = io.StringIO()
        args = ["asks", "open", contact.email, code, "--as", "csm", "--as-of", AS_OF, "--json"]
        try:
            call_command(*args, stdout=out)
        except CommandError:
            return str(json.loads(out.getvalue())["refused"][0]["code"])
        return None
    body = {"contact_id": contact.pk, "ask_type": code, "as_of": AS_OF}
    response = api.post("/api/asks", body, content_type="application/json")
    if response.status_code == 201:
        return None
    body = response.json()
    if response.status_code == 409:  # a cap, with its code
        return str(body["code"])
    assert response.status_code == 422, body
    return str(body["detail"][0]["type"])  # the rules, one error per refusal


def test_the_advocate_chooses_one_to_three_reference_calls_a_month(csm: User) -> None:
    contact = build(BASE, csm)
    reference = AskType.objects.get(code="reference_call")

    def calls_this_month() -> int:
        opened = 0
        for day in range(30):
            request = AskRequest(contact.pk, reference, f"call:{day}:{opened}")
            opened += len(open_asks([request], now=NOW + dt.timedelta(days=day)).granted)
        Ask.objects.filter(contact=contact).delete()
        return opened

    assert calls_this_month() == 1  # nobody said otherwise: one a month
    AskTypePreference.objects.create(
        contact=contact, ask_type=reference, max_asks=3, updated_at=NOW
    )
    assert calls_this_month() == 3
    AskTypePreference.objects.filter(contact=contact).update(max_asks=5)  # past the policy
    assert calls_this_month() == 3
    AskTypePreference.objects.filter(contact=contact).update(max_asks=None, willing=False)
    assert calls_this_month() == 0


# --- triggers: seed 000's, each through its play ---------------------------------------------

TRIGGERS = [
    # (trigger, signal kind, value, contact-level?, the person, play, the ask it opens)
    ("NPS = 10 → review", "nps", 10, True, ENGAGED, "nps-promoter-review", "review"),
    ("expansion completed → case study", "expansion", None, False, BASE, "expansion-case-study",
     "case_study"),
    ("expansion completed, no result yet → referral at once", "expansion", None, False,
     replace(BASE, result_days=None), "expansion-case-study", "referral"),
    ("NDA: expansion → the anonymous quote", "expansion", None, False,
     replace(BASE, account={"nda": True}), "expansion-case-study", "anonymous_quote"),
    ("renewal → testimonial quote", "renewal", None, False, ENGAGED, "renewal-testimonial",
     "testimonial_quote"),
    ("adoption milestone → review", "usage_milestone", None, False, ENGAGED, "milestone-review",
     "review"),
    ("result shared → case study", "result_shared", None, False, replace(BASE, result_days=None),
     "shared-win-case-study", "case_study"),
    ("CSM nomination → reference call", "csm_nomination", None, True, BASE,
     "nomination-reference", "reference_call"),
    ("a champion's reference → speaker (the play widens to expansion)", "reference_completed",
     None, True, BASE, "champion-speaker", "speaker"),
    ("CSAT 5 → community", "csat", 5, True, ENGAGED, "csat-community", "community"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "kind", "value", "own", "person", "play", "code"),
    TRIGGERS,
    ids=[row[0] for row in TRIGGERS],
)
def test_each_trigger_asks_through_its_play(
    row: str,
    kind: str,
    value: float | None,
    own: bool,
    person: Person,
    play: str,
    code: str,
    csm: User,
    api: Client,
) -> None:
    Play.objects.filter(name=play).update(definition=_no_holdout(play))
    asked = []
    for n, via in enumerate(("service", "cli", "api")):
        contact = build(person, csm, n)
        asked.append(trigger_and_run(via, contact, kind, value, own, play, api))
    assert asked == [("asked", code)] * 3, row


def trigger_and_run(
    via: str, contact: Contact, kind: str, value: float | None, own: bool, play: str, api: Client
) -> tuple[Any, ...]:
    """The play's decision for `contact` after its trigger, run through `via`."""
    if play == "champion-speaker":  # a champion: three activities this year
        for i in range(3):
            Signal.objects.create(
                source="row",
                key=f"done-{contact.pk}-{i}",
                kind="review_published",
                account=contact.account,
                contact=contact,
                occurred_at=NOW - dt.timedelta(days=40 + i),
            )
    Signal.objects.create(
        source="row",
        key=f"trigger-{contact.pk}",
        kind=kind,
        account=contact.account,
        contact=contact if own else None,
        occurred_at=NOW - dt.timedelta(hours=1),
        value=value,
    )
    if via == "service":
        from advocacy.engine.evaluation import run_plays

        run_plays(now=NOW, names=[play], policy=DEFAULT_POLICY)
    elif via == "cli":
        cli("run", "--play", play, "--as-of", AS_OF, "--json")
    else:
        body = {"plays": [play], "as_of": AS_OF}
        response = api.post("/api/plays/run", body, content_type="application/json")
        assert response.status_code == 200, response.content
    decision = Decision.objects.get(play__name=play, contact=contact)
    if decision.ask is None:
        return (decision.outcome, decision.code, decision.reasons)
    return (decision.outcome, decision.ask.ask_type.code)


def _no_holdout(play: str) -> dict[str, Any]:
    definition = Play.objects.get(name=play).definition
    return {**definition, "holdout": 0}


def test_a_sensitive_industry_is_held_for_approval_not_silently_asked(csm: User) -> None:
    from advocacy.engine.evaluation import run_plays

    Play.objects.filter(name="expansion-case-study").update(
        definition=_no_holdout("expansion-case-study")
    )
    contact = build(replace(BASE, account={"sensitive_industry": True}), csm)
    Signal.objects.create(
        source="row", key="x", kind="expansion", account=contact.account,
        occurred_at=NOW - dt.timedelta(hours=1),
    )  # fmt: skip
    run_plays(now=NOW, names=["expansion-case-study"], policy=DEFAULT_POLICY)
    decision = Decision.objects.get(contact=contact)
    assert decision.ask is not None
    assert (decision.outcome, decision.code, decision.ask.status) == (
        "held_for_approval",
        "held_for_approval",
        "proposed",
    )
    assert decision.reasons == ["held for approval: sensitive industry: case by case"]
