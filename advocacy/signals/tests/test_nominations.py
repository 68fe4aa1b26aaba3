"""Nominations: a CSM or an account manager says a customer is ready, with a reason; it is a
`csm_nomination` signal that the plays starting from one pick up."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.signals.models import Signal
from advocacy.signals.nominations import NominationRefused, nominate, nominations_of
from advocacy.signals.tests.promoters import NOW, customer

pytestmark = pytest.mark.django_db


def test_a_nomination_is_a_signal_with_its_reason_and_who(member: Any) -> None:
    ann = customer("ann@acme.example")

    found = nominate(ann, reason="  Praised the rollout\n in the QBR ", actor=member, now=NOW)

    signal = Signal.objects.get(kind="csm_nomination")
    assert found.signal == signal
    assert found.created is True
    assert (signal.source, signal.contact_id, signal.account_id) == (
        "nomination", ann.pk, ann.account_id
    )  # fmt: skip
    assert signal.text == "Praised the rollout in the QBR"  # spaces and lines collapsed
    assert signal.payload == {"by": "member", "reason": "Praised the rollout in the QBR"}
    assert signal.occurred_at == NOW
    assert nominations_of(ann) == [signal]
    # The same nomination sent again (a retried request) is stored once.
    again = nominate(ann, reason="Praised the rollout", actor=member, now=NOW)
    assert (again.created, Signal.objects.filter(kind="csm_nomination").count()) == (False, 1)


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ({}, "   ", "say why: a nomination needs a reason"),
        ({}, "x" * 1001, "the reason is 1001 characters; at most 1000"),
        ({"opted_out_at": NOW}, "great",
         "ann@acme.example opted out on 01 Jun 2026; nobody may ask them"),
        ({"left_company_at": NOW}, "great", "ann@acme.example left the company on 01 Jun 2026"),
    ],
)  # fmt: skip
def test_refused_nominations_say_why_and_record_nothing(
    member: Any, change: dict[str, Any], reason: str, message: str
) -> None:
    ann = customer("ann@acme.example", **change)
    with pytest.raises(NominationRefused) as refused:
        nominate(ann, reason=reason, actor=member, now=NOW)
    assert str(refused.value) == message
    assert not Signal.objects.filter(kind="csm_nomination").exists()


def test_nominate_on_the_command_line(member: Any, seller: Any, viewer: Any) -> None:
    customer("ann@acme.example")
    out = StringIO()
    call_command("nominate", "ANN@acme.example", "--reason", "big win", "--as", "seller",
                 stdout=out)  # fmt: skip
    assert out.getvalue() == "ann@acme.example nominated: big win\n"
    out = StringIO()
    call_command("nominate", "ann@acme.example", "--reason", "again", "--as", "member",
                 "--json", stdout=out)  # fmt: skip
    body = json.loads(out.getvalue())
    assert (body["reason"], body["nominated_by"], body["created"]) == ("again", "member", True)
    with pytest.raises(CommandError, match="may not"):
        call_command("nominate", "ann@acme.example", "--reason", "x", "--as", "viewer")
    with pytest.raises(CommandError, match=re.escape("ann@acme.example: say why")):
        call_command("nominate", "ann@acme.example", "--reason", " ")
    with pytest.raises(CommandError, match=re.escape("no contact with email 'nobody@x.example'")):
        call_command("nominate", "nobody@x.example", "--reason", "x")
    assert Signal.objects.filter(kind="csm_nomination").count() == 2
