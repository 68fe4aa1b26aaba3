"""`advocacy rewards …`: the same operations as the services, with --json and --as-of."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.rewards.models import Entry
from advocacy.rewards.tests.helpers import advocate, complete

pytestmark = pytest.mark.django_db
AT = "2026-06-01T13:00:00Z"


def run(*args: str) -> Any:
    out = StringIO()
    call_command("rewards", *args, "--json", "--as-of", AT, stdout=out)
    return json.loads(out.getvalue())


def test_balance_tiers_redeem_fulfil_and_budget(marketer: Any) -> None:
    contact = advocate()
    ask = complete(contact)
    assert run("balance", contact.email) == {"email": contact.email, "balance": 100.0}
    tiers = run("tiers", "--email", contact.email)
    assert tiers["advocates"][0]["tier"] == "Champion"
    (row,) = run("ledger", "--email", contact.email)
    assert (row["kind"], row["ask_id"]) == ("credit", ask.pk)
    made = run("redeem", contact.email, "60", "--type", "donation", "--charity", "code-org")
    assert made["status"] == "requested"
    done = run("fulfil", str(made["id"]), "--delivered", "Receipt 42", "--as", marketer.username)
    assert done == {"fulfilled": 1}
    spend = run("budget", "2026Q2", "--set", "1000")
    assert (spend["budget"], spend["fulfilled"], spend["remaining"]) == (1000.0, 60.0, 940.0)


def test_as_of_reads_the_past() -> None:
    contact = advocate()
    complete(contact)
    out = StringIO()
    call_command("rewards", "balance", contact.email, "--as-of", "2026-05-01", stdout=out)
    assert out.getvalue().strip() == "$0"


def test_a_redemption_over_the_balance_is_refused_with_its_reason() -> None:
    contact = advocate()
    with pytest.raises(CommandError, match=r"more than .* balance of \$0"):
        run("redeem", contact.email, "10", "--type", "gift_card")
    assert Entry.objects.count() == 0


def test_fulfilment_is_refused_to_a_role_without_the_right(seller: Any) -> None:
    with pytest.raises(CommandError, match="may not review, fulfil and process rewards"):
        run("fulfil", "1", "--delivered", "x", "--as", seller.username)
