"""The send window apart from the answer deadline: which asks missed the moment to go out."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.tests.factories import NOW, make_ask

pytestmark = pytest.mark.django_db
S = AskStatus
HOUR = dt.timedelta(hours=1)


def test_the_set_rule_and_the_one_ask_rule_agree() -> None:
    """GIVEN asks in every case WHEN asked which missed their window THEN exactly the unsent
    past send-by and the sent late, by the queryset and by each ask alike."""
    cases = {
        "unsent, past": dict(status=S.PROPOSED, send_by=NOW - HOUR),
        "queued, past": dict(status=S.QUEUED, send_by=NOW - HOUR),
        "unsent, time left": dict(status=S.PROPOSED, send_by=NOW + HOUR),
        "sent late": dict(status=S.ACCEPTED, send_by=NOW - 3 * HOUR, sent_at=NOW - HOUR),
        "sent in time": dict(status=S.SENT, send_by=NOW - HOUR, sent_at=NOW - 2 * HOUR),
        "sent on the dot": dict(status=S.SENT, send_by=NOW - HOUR, sent_at=NOW - HOUR),
        "cancelled unsent": dict(status=S.CANCELLED, send_by=NOW - HOUR),
        "no window": dict(status=S.PROPOSED, send_by=None),
        "overdue answer only": dict(status=S.SENT, due_at=NOW - HOUR, sent_at=NOW - 9 * HOUR),
    }
    asks = {name: make_ask("review", opened=False, **fields) for name, fields in cases.items()}
    names = {ask.pk: name for name, ask in asks.items()}
    missed = {names[pk] for pk in Ask.objects.missed_send_window(NOW).values_list("pk", flat=True)}
    assert missed == {"unsent, past", "queued, past", "sent late"}
    one_by_one = {name for name, ask in asks.items() if ask.missed_send_window(NOW)}
    assert one_by_one == missed
    assert {names[a.pk] for a in Ask.objects.overdue(NOW)} == {"overdue answer only"}
