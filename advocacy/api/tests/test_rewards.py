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


def test_credit_and_reverse_through_the_api(make_client: Callable[..., Any]) -> None:
    api = make_client("read", "rewards:write")
    contact = advocate()
    made = api.post(
        "/api/rewards/credits",
        {"contact_id": contact.pk, "amount_cents": 2_500, "reason": "spoke at our summit"},
    )
    assert (made.status_code, made.json()["amount"], made.json()["kind"]) == (
        201,
        "25.00",
        "credit",
    )
    back = api.post(f"/api/rewards/ledger/{made.json()['id']}/reversal", {"reason": "typo"})
    assert (back.status_code, back.json()["amount"], back.json()["reverses_id"]) == (
        201,
        "-25.00",
        made.json()["id"],
    )
    again = api.post(f"/api/rewards/ledger/{made.json()['id']}/reversal", {"reason": "typo"})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        f"entry {made.json()['id']} is already reversed",
    )
    assert Entry.objects.count() == 2
    missing = api.post("/api/rewards/ledger/999999/reversal", {"reason": "typo"})
    assert missing.status_code == 404


def test_budget_and_processing_through_the_api(make_client: Callable[..., Any]) -> None:
    api = make_client("read", "rewards:write")
    contact = advocate()
    for _ in range(3):  # the Advocate tier: a $500 product credit for the quarter
        complete(contact)
    got = api.post("/api/rewards/budgets/2026Q2", {"amount_cents": 500_000})
    assert (got.status_code, got.json()["budget"], got.json()["remaining"]) == (
        200,
        "5000.00",
        "5000.00",
    )
    early = api.post("/api/rewards/processing/2026Q2", {"as_of": AT})
    assert (early.status_code, early.json()["detail"]) == (
        409,
        "2026Q2 is not over yet: it is processed once it ends",
    )
    after = "2026-07-01T09:00:00Z"
    first = api.post("/api/rewards/processing/2026Q2", {"as_of": after})
    second = api.post("/api/rewards/processing/2026Q2", {"as_of": after})
    assert first.status_code == second.status_code == 200
    assert first.json()["credited"] == Entry.objects.filter(key__startswith="quarter:").count() == 1
    assert second.json()["credited"] == 0


def test_release_and_refuse_through_the_api(make_client: Callable[..., Any]) -> None:
    api = make_client("read", "rewards:write")
    contact = advocate()
    complete(contact)
    made = api.post(
        "/api/rewards/redemptions",
        {"contact_id": contact.pk, "amount_cents": 5_000, "reward_type": "gift_card", "as_of": AT},
    ).json()
    listed = api.get("/api/rewards/redemptions", {"status": "requested"}).json()
    assert [r["id"] for r in listed["items"]] == [made["id"]]
    held = api.post(f"/api/rewards/redemptions/{made['id']}/release", {})
    assert held.status_code == 409
    refused = api.post(f"/api/rewards/redemptions/{made['id']}/refusal", {"reason": "duplicate"})
    assert (refused.status_code, refused.json()["status"]) == (200, "refused")
    twice = api.post(f"/api/rewards/redemptions/{made['id']}/refusal", {"reason": "duplicate"})
    assert twice.status_code == 409


@pytest.mark.parametrize(
    ("role", "credit", "budget", "process"),
    [
        ("admin", 201, 200, 200),
        ("cs", 201, 403, 403),
        ("marketing", 201, 403, 200),
        ("sales", 403, 403, 403),
        ("viewer", 403, 403, 403),
    ],
)
def test_each_role_may_credit_budget_and_process_as_the_table_says(
    make_client: Callable[..., Any],
    django_user_model: Any,
    role: str,
    credit: int,
    budget: int,
    process: int,
) -> None:
    user = django_user_model.objects.create_user(role, f"{role}@example.com", "pw", role=role)
    api = make_client("read", "rewards:write", user=user)
    contact = advocate()
    made = api.post(
        "/api/rewards/credits", {"contact_id": contact.pk, "amount_cents": 100, "reason": "thanks"}
    )
    got = api.post("/api/rewards/budgets/2026Q2", {"amount_cents": 100})
    ran = api.post("/api/rewards/processing/2026Q2", {"as_of": "2026-07-01T09:00:00Z"})
    assert (made.status_code, got.status_code, ran.status_code) == (credit, budget, process)
