"""The desk's flow: file, offer (an ask with its cap), answer, schedule, record the outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from icalendar import Calendar

from advocacy.engine.asks import CapExceeded
from advocacy.engine.models import AskTypePreference, TapClaim
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import Excluded
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.references import services as desk
from advocacy.references.invite import TALKING_POINTS, invite
from advocacy.references.models import (
    CallOutcome,
    Offer,
    ReferenceAdvocate,
    ReferenceRequest,
    RequestStatus,
)
from advocacy.references.pool import reference_type
from advocacy.references.tests.world import NOW, advocate, refresh
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
P = DEFAULT_POLICY


def file(seller: Any, company: str = "Globex", **kw: Any) -> ReferenceRequest:
    data = desk.RequestData(
        opportunity=kw.pop("opportunity", f"{company} renewal"),
        prospect_company=company,
        industry=kw.pop("industry", "SaaS"),
        needed_by=kw.pop("needed_by", (NOW + dt.timedelta(days=14)).date()),
        region="emea",
        size_band="enterprise",
        products=["Core Platform"],
        prospect_contacts=[f"cto@{company.lower()}.example"],
        **kw,
    )
    return desk.file_request(data, actor=seller, now=NOW)


def test_filing_refuses_bad_fields_naming_each(seller: Any) -> None:
    data = desk.RequestData(
        opportunity=" ", prospect_company="X", industry="SaaS",
        needed_by=(NOW - dt.timedelta(days=1)).date(), region="mars", format="fax",
    )  # fmt: skip
    with pytest.raises(desk.DeskError) as caught:
        desk.file_request(data, actor=seller, now=NOW)
    assert str(caught.value) == (
        "opportunity: required; region: expected one of na, latam, emea, apac; "
        "format: expected one of call, email; needed_by: 2026-05-31 is in the past"
    )
    assert ReferenceRequest.objects.count() == 0


def test_offer_opens_a_sent_ask_and_holds_the_type_s_own_limit(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    refresh()
    request = file(seller)

    made = desk.offer(request, ann, actor=member, now=NOW, policy=P)

    ask = Ask.objects.get(pk=made.ask_id)
    assert (ask.status, ask.ask_type.code, ask.moment, ask.owner_id) == (
        AskStatus.SENT, "reference_call", f"reference:{request.pk}", member.pk
    )  # fmt: skip
    assert request.status == RequestStatus.OFFERED
    # Reference calls are outside the effort windows: none moves, and the pool holds none.
    assert TapClaim.objects.filter(contact=ann, next_allowed_at__isnull=False).count() == 0
    assert ReferenceAdvocate.objects.get(contact=ann).next_allowed_at is None
    # Their own limit: one a month unless the advocate says more, so another request waits.
    other = file(seller, "Initech")
    with pytest.raises(CapExceeded) as caught:
        desk.offer(other, ann, actor=member, now=NOW, policy=P)
    assert str(caught.value) == (
        "tap cap: ann@a.example may be asked 1 reference call ask(s) per 30 days "
        "(up to 3 if they choose); the next is allowed from 2026-07-01T12:00:00+00:00"
    )
    assert other.status == RequestStatus.OPEN
    # An advocate who takes up to three a month is offered the second, and the third.
    AskTypePreference.objects.create(
        contact=ann, ask_type=reference_type(), max_asks=3, updated_at=NOW
    )
    desk.offer(other, ann, actor=member, now=NOW, policy=P)
    desk.offer(file(seller, "Hooli"), ann, actor=member, now=NOW, policy=P)
    with pytest.raises(CapExceeded) as caught:
        desk.offer(file(seller, "Umbrella"), ann, actor=member, now=NOW, policy=P)
    assert str(caught.value) == (
        "tap cap: ann@a.example may be asked 3 reference call ask(s) per 30 days "
        "(their own choice); the next is allowed from 2026-07-01T12:00:00+00:00"
    )


def test_an_advocate_who_does_not_take_reference_calls_is_not_offered_one(
    seller: Any, member: Any
) -> None:
    ann = advocate("ann@a.example")
    AskTypePreference.objects.create(
        contact=ann, ask_type=reference_type(), willing=False, updated_at=NOW
    )
    refresh()
    assert desk.candidates(file(seller), now=NOW, policy=P) == []
    with pytest.raises(CapExceeded) as caught:
        desk.offer(file(seller, "Initech"), ann, actor=member, now=NOW, policy=P)
    assert str(caught.value) == "ann@a.example: the advocate said they do not do this kind of ask"
    assert Ask.objects.count() == 0


def test_offer_rechecks_exclusions_at_offer_time(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    refresh()
    ann.account.churn_risk = True
    ann.account.save()
    request = file(seller)
    with pytest.raises(Excluded, match="churn risk"):
        desk.offer(request, ann, actor=member, now=NOW, policy=P)
    assert Ask.objects.count() == 0


def test_a_decline_frees_the_request_for_the_next_candidate(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    advocate("bob@b.example", region="apac")
    refresh()
    request = file(seller)
    first = desk.candidates(request, now=NOW, policy=P)
    assert [c.email for c in first] == ["ann@a.example", "bob@b.example"]

    made = desk.offer(request, ann, actor=member, now=NOW, policy=P)
    desk.respond(made, False, actor=member, now=NOW, policy=P, note="travelling")

    request.refresh_from_db()
    assert (request.status, made.status) == (RequestStatus.OPEN, "declined")
    assert Ask.objects.get(pk=made.ask_id).status == AskStatus.DECLINED
    assert ReferenceAdvocate.objects.get(contact=ann).declines == 1
    # ann is left out now (already asked for this request), bob is next.
    assert [c.email for c in desk.candidates(request, now=NOW, policy=P)] == ["bob@b.example"]
    with pytest.raises(desk.DeskError, match="already answered"):
        desk.respond(made, True, actor=member, now=NOW, policy=P)


def test_accept_schedule_and_hold_fills_and_completes(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    refresh()
    request = file(seller)
    made = desk.offer(request, ann, actor=member, now=NOW, policy=P)
    later = NOW + dt.timedelta(hours=5)
    desk.respond(made, True, actor=member, now=later, policy=P)
    starts = NOW + dt.timedelta(days=3)

    call = desk.schedule_call(made, starts_at=starts, actor=member, now=later)

    request.refresh_from_db()
    assert (request.status, request.filled_at) == (RequestStatus.SCHEDULED, later)
    assert Ask.objects.get(pk=made.ask_id).status == AskStatus.SCHEDULED
    desk.record_outcome(call, CallOutcome.HELD, rating=5, actor=member, now=starts, policy=P)
    request.refresh_from_db()
    assert (request.status, request.closed_at) == (RequestStatus.COMPLETED, starts)
    assert Ask.objects.get(pk=made.ask_id).status == AskStatus.COMPLETED
    pool = ReferenceAdvocate.objects.get(contact=ann)
    assert (pool.calls_completed, pool.rating_sum, pool.rating_count) == (1, 5, 1)
    done = Signal.objects.get(kind="reference_completed")
    assert (done.contact_id, done.source, done.key, done.value, done.occurred_at) == (
        ann.pk, "reference-desk", f"call:{call.pk}", 5.0, starts
    )  # fmt: skip
    desk.record_result(request, "won", now=starts)
    assert ReferenceRequest.objects.get(pk=request.pk).result == "won"
    with pytest.raises(desk.DeskError, match="already has its outcome"):
        desk.record_outcome(call, CallOutcome.NO_SHOW, actor=member, now=starts, policy=P)


def test_a_no_show_reopens_the_request_unfilled(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    refresh()
    request = file(seller)
    made = desk.offer(request, ann, actor=member, now=NOW, policy=P)
    desk.respond(made, True, actor=member, now=NOW, policy=P)
    call = desk.schedule_call(made, starts_at=NOW + dt.timedelta(days=1), actor=member, now=NOW)
    desk.record_outcome(call, CallOutcome.NO_SHOW, actor=member, now=NOW, policy=P)
    request.refresh_from_db()
    assert (request.status, request.filled_at) == (RequestStatus.OPEN, None)
    assert Ask.objects.get(pk=made.ask_id).status == AskStatus.CANCELLED


def test_group_calls_take_two_to_four_open_requests(seller: Any, member: Any) -> None:
    ann = advocate("ann@a.example")
    refresh()
    requests = [file(seller, name) for name in ("Globex", "Initech", "Hooli", "Umbrella", "Acme")]
    made = desk.offer(requests[0], ann, actor=member, now=NOW, policy=P)
    desk.respond(made, True, actor=member, now=NOW, policy=P)
    starts = NOW + dt.timedelta(days=2)
    with pytest.raises(desk.DeskError, match="a group call has 2-4 requests; got 5"):
        desk.schedule_call(made, starts_at=starts, also=requests[1:], actor=member, now=NOW)
    with pytest.raises(desk.DeskError, match="appears twice"):
        desk.schedule_call(made, starts_at=starts, also=[requests[0]], actor=member, now=NOW)

    call = desk.schedule_call(made, starts_at=starts, also=requests[1:4], actor=member, now=NOW)

    assert sorted(call.requests.values_list("pk", flat=True)) == [r.pk for r in requests[:4]]
    statuses = ReferenceRequest.objects.order_by("pk").values_list("status", flat=True)
    assert list(statuses) == ["scheduled"] * 4 + ["open"]
    assert Offer.objects.filter(ask=made.ask, status="accepted").count() == 4
    assert Ask.objects.filter(ask_type__code="reference_call").count() == 1  # one tap

    ics = Calendar.from_ical(invite(call, now=NOW))
    assert str(ics["method"]) == "REQUEST"
    (event,) = ics.walk("VEVENT")
    assert str(event["uid"]) == call.uid
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == starts + dt.timedelta(minutes=20)
    assert str(event["organizer"]) == "mailto:member@example.com"
    attendees = sorted(str(a) for a in event["attendee"])
    assert attendees == sorted(
        ["mailto:ann@a.example", "mailto:seller@example.com"]
        + [f"mailto:cto@{n}.example" for n in ("globex", "initech", "hooli", "umbrella")]
    )
    text = str(event["description"])
    assert all(point in text for point in TALKING_POINTS)
    assert str(event["summary"]) == "Reference call: A with Globex, Initech, Hooli, Umbrella"


def test_request_moves_outside_the_table_are_refused(seller: Any) -> None:
    request = file(seller)
    with pytest.raises(desk.InvalidRequestMove, match="cannot move from open to completed"):
        desk.move_request(request, RequestStatus.COMPLETED, now=NOW)
    desk.close_request(request, RequestStatus.UNFILLED, now=NOW)
    with pytest.raises(desk.InvalidRequestMove, match=r"none \(unfilled is final\)"):
        desk.move_request(request, RequestStatus.OPEN, now=NOW)


def test_deleting_an_advocate_s_account_takes_their_offers_and_calls(
    seller: Any, member: Any
) -> None:
    ann = advocate("ann@a.example")
    refresh()
    request = file(seller)
    made = desk.offer(request, ann, actor=member, now=NOW, policy=P)
    desk.respond(made, True, actor=member, now=NOW, policy=P)
    desk.schedule_call(made, starts_at=NOW + dt.timedelta(days=1), actor=member, now=NOW)

    ann.account.delete()

    assert (Offer.objects.count(), ReferenceAdvocate.objects.count()) == (0, 0)
    assert ReferenceRequest.objects.get().pk == request.pk  # the request stays


def test_every_request_move_outside_the_table_is_refused(seller: Any) -> None:
    """GIVEN a request in each state WHEN it is moved to each state THEN exactly the moves of
    REQUEST_TRANSITIONS succeed."""
    from advocacy.references.models import REQUEST_TRANSITIONS

    outcomes = {}
    for source in RequestStatus.values:
        for target in RequestStatus.values:
            request = file(seller, f"P{source}{target}")
            ReferenceRequest.objects.filter(pk=request.pk).update(status=source)
            request.status = source
            try:
                desk.move_request(request, target, now=NOW)
            except desk.InvalidRequestMove:
                outcomes[(source, target)] = False
            else:
                outcomes[(source, target)] = True
                assert ReferenceRequest.objects.get(pk=request.pk).status == target
    allowed = {(s, t) for s, targets in REQUEST_TRANSITIONS.items() for t in targets}
    assert {pair for pair, ok in outcomes.items() if ok} == allowed
    assert len(outcomes) == 36
