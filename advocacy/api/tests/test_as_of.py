"""`as_of` on every write that records a moment: the moment recorded is the one sent.

GIVEN the clock at NOW WHEN a write is sent with an `as_of` two days earlier THEN the moment it
records (event `at`, `opted_out_at`, agreement and content times, request times) is that one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from advocacy.api.tests.conftest import ApiClient
from advocacy.content.models import AssetEvent, AssetUse, Consent
from advocacy.content.tests.conftest import advocate, asset_in, case_study
from advocacy.customers.models import Contact
from advocacy.engine.tests.guard_world import NOW, account, ask, person
from advocacy.pipeline.agreement_services import create_agreement
from advocacy.pipeline.agreements import Agreement, AgreementStatus
from advocacy.pipeline.models import Ask, AskEvent, RoutingRule
from advocacy.pipeline.pausing import pause_ask
from advocacy.references.models import ReferenceRequest

pytestmark = pytest.mark.django_db
WHEN = NOW - dt.timedelta(days=2, hours=3)
EARLIER = WHEN - dt.timedelta(days=1)
REQUEST = {
    "opportunity": "Globex expansion",
    "prospect_company": "Globex",
    "industry": "SaaS",
    "needed_by": "2026-06-20",
}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass(frozen=True)
class Case:
    """A write: how to set it up and send it, and where its moment is recorded."""

    name: str
    send: Callable[[ApiClient, dict[str, Any]], Any]
    recorded: Callable[[], dt.datetime | None]


def _last_event_at() -> dt.datetime:
    return AskEvent.objects.latest("id").at


def _ask() -> Ask:
    return ask(person(account(), "ada"))


def _paused() -> Ask:
    found = _ask()
    pause_ask(found, "legal review", actor=None, now=EARLIER)
    return found


def _agreement() -> Agreement:
    return create_agreement(
        person(account(), "ada"), scope=["case_study"], benefits="", starts_on=EARLIER.date(),
        ends_on=None, signed_on=None, status=AgreementStatus.DRAFT, actor=None, now=EARLIER,
    )  # fmt: skip


def _patch(api: ApiClient, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(
        path, json.dumps(body), content_type="application/json", headers=api._headers(None)
    )


def _post(path: Callable[[], str]) -> Callable[[ApiClient, dict[str, Any]], Any]:
    return lambda api, body: api.post(path(), body)


def _with(path: Callable[[], str], **fields: Any) -> Callable[[ApiClient, dict[str, Any]], Any]:
    return lambda api, body: api.post(path(), {**fields, **body})


CASES = [
    Case(
        "move an ask",
        _with(lambda: f"/api/asks/{_ask().pk}/transitions", to="accepted"),
        _last_event_at,
    ),
    Case("decline an ask", _post(lambda: f"/api/asks/{_ask().pk}/decline"), _last_event_at),
    Case(
        "open a manual ask",
        lambda api, body: api.post(
            "/api/asks",
            {
                "contact_id": person(account(), "ada").pk,
                "ask_type": "review",
                "override_reason": "backfilled",
                **body,
            },
        ),
        lambda: Ask.objects.get().opened_at,
    ),
    Case(
        "pause an ask",
        _with(lambda: f"/api/asks/{_ask().pk}/pause", reason="legal review"),
        lambda: Ask.objects.get().paused_at,
    ),
    Case("resume an ask", _post(lambda: f"/api/asks/{_paused().pk}/resume"), _last_event_at),
    Case(
        "reassign an ask",
        lambda api, body: api.post(
            f"/api/asks/{_ask().pk}/reassign",
            {"contact_id": person(Contact.objects.get().account, "bob").pk, **body},
        ),
        lambda: Ask.objects.latest("id").opened_at,
    ),
    Case(
        "opt a contact out",
        _post(lambda: f"/api/contacts/{person(account(), 'ada').pk}/opt-out"),
        lambda: Contact.objects.get().opted_out_at,
    ),
    Case(
        "record an agreement",
        lambda api, body: api.post(
            "/api/agreements",
            {
                "contact_id": person(account(), "ada").pk,
                "scope": ["case_study"],
                "starts_on": "2026-05-01",
                **body,
            },
        ),
        lambda: Agreement.objects.get().created_at,
    ),
    Case(
        "change an agreement",
        lambda api, body: _patch(
            api, f"/api/agreements/{_agreement().pk}", {"benefits": "swag", **body}
        ),
        lambda: Agreement.objects.get().updated_at,
    ),
    Case(
        "end an agreement",
        _post(lambda: f"/api/agreements/{_agreement().pk}/end"),
        lambda: Agreement.objects.get().ended_at,
    ),
    Case(
        "create an asset",
        lambda api, body: api.post(
            "/api/content", {"kind": "quote", "title": "Ada", "contact_id": advocate().pk, **body}
        ),
        lambda: AssetEvent.objects.get().at,
    ),
    Case(
        "move an asset",
        _with(lambda: f"/api/content/{case_study().pk}/transitions", to="advocate_review"),
        lambda: AssetEvent.objects.latest("id").at,
    ),
    Case(
        "grant consent",
        _with(
            lambda: f"/api/content/{asset_in('approved', scopes=[]).pk}/consent",
            scopes=["quote"],
            expires_at="2027-06-01T00:00:00Z",
        ),
        lambda: Consent.objects.latest("id").recorded_at,
    ),
    Case(
        "record a use",
        _with(lambda: f"/api/content/{asset_in('approved').pk}/uses", channel="website"),
        lambda: AssetUse.objects.get().at,
    ),
    Case(
        "file a reference request",
        _with(lambda: "/api/references/requests", **REQUEST),
        lambda: ReferenceRequest.objects.get().filed_at,
    ),
    Case(
        "close a reference request",
        lambda api, body: api.post(
            f"/api/references/requests/{api.post('/api/references/requests', REQUEST).json()['id']}"
            "/close",
            {"status": "cancelled", **body},
        ),
        lambda: ReferenceRequest.objects.get().closed_at,
    ),
    Case(
        "add a routing rule",
        _with(lambda: "/api/routing-rules", name="big ones", role="cs"),
        lambda: RoutingRule.objects.get().created_at,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_write_records_the_moment_it_is_sent_as_of(api: ApiClient, case: Case) -> None:
    response = case.send(api, {"as_of": WHEN.isoformat()})
    assert response.status_code in (200, 201), response.content
    assert case.recorded() == WHEN


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_without_as_of_a_write_records_now(api: ApiClient, case: Case) -> None:
    response = case.send(api, {})
    assert response.status_code in (200, 201), response.content
    assert case.recorded() == NOW


def test_a_moment_ahead_of_the_clock_is_refused(api: ApiClient) -> None:
    study = _ask()
    ahead = (NOW + dt.timedelta(minutes=6)).isoformat()
    refused = api.post(f"/api/asks/{study.pk}/pause", {"reason": "r", "as_of": ahead})
    assert refused.status_code == 422
    assert "is in the future (at most 5 minutes ahead of now)" in refused.text
    assert Ask.objects.get().paused_at is None
    soon = (NOW + dt.timedelta(minutes=4)).isoformat()
    assert (
        api.post(f"/api/asks/{study.pk}/pause", {"reason": "r", "as_of": soon}).status_code == 200
    )


def test_the_query_as_of_of_a_write_without_a_body_is_bounded_too(api: ApiClient) -> None:
    ahead = (NOW + dt.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert api.post(f"/api/content/expiry-runs?as_of={ahead}").status_code == 422
    early = api.post("/api/routing-rules/apply?as_of=1969-12-31T00:00:00Z")
    assert (early.status_code, "expected a moment from 1970 to 2099" in early.text) == (422, True)
    assert api.post(
        f"/api/routing-rules/apply?as_of={WHEN.isoformat().replace('+', '%2B')}"
    ).json() == {"routed": 0}
