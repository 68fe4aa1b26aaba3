"""/api/rewards: balance, tier, redeem, fulfil and spend; refusals are 409 and write nothing."""

from collections.abc import Callable
from typing import Any

import pytest

from advocacy.rewards.models import Entry
from advocacy.rewards.tests.helpers import advocate, complete

pytestmark = pytest.mark.django_db
AT = "2026-06-01T13:00:00Z"


def test_redeem_and_fulfil_through_the_api(make_client: Callable[..., Any]) -> None:
    api = make_client("read", "rewards:write")
    contact = advocate()
    complete(contact)
    got = api.get(f"/api/rewards/balance/{contact.pk}", {"as_of": AT})
    assert (got.status_code, got.json()["balance"]) == (200, "100.00")
    tier = api.get(f"/api/rewards/tiers/{contact.pk}", {"as_of": AT}).json()
    assert (tier["tier"], tier["level"]) == ("Champion", 1)
    over = api.post(
        "/api/rewards/redemptions",
        {"contact_id": contact.pk, "amount_cents": 20_000, "reward_type": "gift_card", "as_of": AT},
    )
    assert over.status_code == 409
    assert "more than" in over.json()["detail"]
    assert Entry.objects.count() == 1
    made = api.post(
        "/api/rewards/redemptions",
        {"contact_id": contact.pk, "amount_cents": 5_000, "reward_type": "gift_card", "as_of": AT},
    )
    assert (made.status_code, made.json()["status"]) == (201, "requested")
    done = api.post("/api/rewards/fulfilments", {"ids": [made.json()["id"]], "delivered": "card"})
    assert done.json() == {"fulfilled": 1}
    spend = api.get("/api/rewards/spend/2026Q2").json()
    assert (spend["committed"], spend["fulfilled"]) == ("50.00", "50.00")
    entries = api.get("/api/rewards/ledger", {"contact_id": contact.pk}).json()
    assert [e["kind"] for e in entries["items"]] == ["credit", "debit"]


def test_a_key_without_the_rewards_scope_may_not_redeem(make_client: Callable[..., Any]) -> None:
    api = make_client("read")
    contact = advocate()
    refused = api.post(
        "/api/rewards/redemptions",
        {"contact_id": contact.pk, "amount_cents": 100, "reward_type": "gift_card"},
    )
    assert refused.status_code == 403
