"""A small program whose every metric is worked out by hand in the tests (see the numbers there).

Period: 2026-Q2 (1 April to 1 July 2026, end excluded). Account Acme (Software, North America,
mid-market) has Ada (champion), Alan (admin) and Alice (end user); Bolt (Finance, EMEA,
enterprise) has Bob (executive) and Bea (admin, opted out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import ContactProfile, Decision, Play
from advocacy.engine.tests.conftest import NO_CAPS
from advocacy.pipeline.models import Ask, AskType
from advocacy.pipeline.services import advance_ask
from advocacy.signals.models import Signal

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)


def at(month: int, day: int, year: int = 2026, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class World:
    acme: Account
    bolt: Account
    ada: Contact
    alan: Contact
    alice: Contact
    bob: Contact
    bea: Contact
    asks: dict[str, Ask]


_keys = iter(range(1, 10_000))


def signal(contact: Contact, kind: str, when: datetime, value: float | None = None) -> Signal:
    return Signal.objects.create(
        source="t", key=f"k{next(_keys)}", kind=kind, account=contact.account, contact=contact,
        occurred_at=when, value=value,
    )  # fmt: skip


def profile(
    contact: Contact, rung: str, nps: float, health: float, ready: str = "", **columns: Any
) -> None:
    """A refreshed profile; the NPS answered a month ago, the product used five days ago."""
    columns = {"nps_at": NOW - timedelta(days=30), "last_activity_at": NOW - timedelta(days=5),
               **columns}  # fmt: skip
    ContactProfile.objects.create(
        contact=contact, account_id=contact.account_id, nps=nps, health=health, rung=rung,
        stage="engagement", ready=ready, as_of=NOW, **columns,
    )  # fmt: skip


def ask(
    contact: Contact, code: str, opened: datetime, moves: list[tuple[str, datetime]], **kw: Any
) -> Ask:
    request = AskRequest(
        contact.pk, AskType.objects.get(code=code), f"t:{opened.isoformat()}", status="sent", **kw
    )
    result = open_asks([request], now=opened, policy=NO_CAPS)  # the pipeline as it stands
    assert len(result.opened) == 1, result
    made = result.opened[0]
    # The world's reviews arrive as imported signals, with their ratings (below), and are worked
    # out by hand from those: its asks record no program activity of their own, so no review is
    # counted twice. What a published ask adds is tested in test_program_activities.py.
    for to, when in moves:
        made = advance_ask(made, to, actor=None, now=when, record_activity=False)
    return made


def build() -> World:
    # Both accounts customers since 2024 with a CSM owning them: every contact passes the
    # tenure and ownership parts of eligibility (test_coverage.py fails each part in turn).
    csm = get_user_model().objects.create_user("world-csm", "csm@world.test", role="cs")
    since = date(2024, 1, 1)
    acme = Account.objects.create(
        name="Acme", domain="acme.test", industry="Software", region="na", size_band="mid_market",
        customer_since=since, owner=csm,
    )  # fmt: skip
    bolt = Account.objects.create(
        name="Bolt", domain="bolt.test", industry="Finance", region="emea", size_band="enterprise",
        customer_since=since, owner=csm,
    )  # fmt: skip
    ada = Contact.objects.create(account=acme, email="ada@acme.test", persona="champion")
    alan = Contact.objects.create(account=acme, email="alan@acme.test", persona="admin")
    alice = Contact.objects.create(account=acme, email="alice@acme.test", persona="end_user")
    bob = Contact.objects.create(account=bolt, email="bob@bolt.test", persona="executive")
    bea = Contact.objects.create(
        account=bolt, email="bea@bolt.test", persona="admin", opted_out_at=at(1, 1)
    )
    profile(ada, "champion", 10, 80, "review")
    profile(alan, "advocate", 9, 60)
    profile(alice, "satisfied", 9, 75, "review,testimonial_quote")
    profile(bob, "none", 5, 40)
    profile(bea, "ambassador", 10, 90, "review")

    # Advocacy activities.
    signal(ada, "review_published", at(4, 10), 5)
    signal(alice, "review_published", at(5, 2), 4)
    signal(bob, "review_published", at(6, 1))
    signal(alan, "referral_status", at(4, 1))
    signal(ada, "reference_completed", at(6, 10))
    signal(ada, "review_published", at(3, 1), 3)  # before the period
    signal(alan, "reference_completed", at(5, 1, 2025))  # the year before last
    signal(bob, "review_published", at(12, 1, 2024))  # the year before last
    signal(bea, "review_published", at(1, 15, 2025))  # the year before last, never again
    # NPS answers in the period.
    nps_ada = signal(ada, "nps", at(4, 4), 10)
    signal(alan, "nps", at(4, 6), 8)
    signal(alice, "nps", at(4, 7), 9)
    signal(bob, "nps", at(4, 8), 3)
    signal(bob, "nps", at(5, 8), 6)
    signal(bea, "nps", at(4, 9), 10)
    signal(ada, "nps", at(7, 2), 0)  # after the period
    expansion = Signal.objects.create(
        source="t", key="exp", kind="expansion", account=acme, occurred_at=at(5, 9)
    )

    asks = {
        "k5": ask(alice, "review", at(3, 20), [("accepted", at(3, 22)), ("completed", at(4, 1)),
                                                ("published", at(4, 20))]),
        "k1": ask(ada, "review", at(4, 5), [("accepted", at(4, 6)), ("completed", at(4, 8)),
                                             ("published", at(4, 10))],
                  play="nps-promoter-review", trigger_signal_id=nps_ada.pk, channel="email"),
        "k2": ask(alice, "review", at(5, 1), [("declined", at(5, 3))]),
        "k3": ask(alan, "case_study", at(5, 10), [("accepted", at(5, 12))],
                  play="expansion-case-study", trigger_signal_id=expansion.pk, channel="email"),
        "k4": ask(bob, "case_study", at(6, 1), [], play="expansion-case-study", channel="email"),
    }  # fmt: skip

    play = Play.objects.create(
        name="nps-promoter-review", title="NPS promoter", source_file="x.yaml", definition={},
        digest="d", loaded_at=at(1, 1),
    )  # fmt: skip
    for contact, outcome, when in (
        (ada, "asked", at(4, 5)),  # reviews on 10 April: converted
        (alice, "asked", at(4, 15)),  # reviews on 2 May: converted
        (bob, "asked", at(6, 20)),  # nothing after: not converted
        (bob, "held_out", at(4, 20)),  # reviews 42 days later: not converted
        (alan, "held_out", at(5, 1)),  # nothing after
        (ada, "not_eligible", at(5, 5)),  # neither asked nor held out: not counted
    ):
        Decision.objects.create(
            play=play, contact=contact, moment=f"m{when.isoformat()}", outcome=outcome,
            decided_at=when,
        )  # fmt: skip
    return World(acme, bolt, ada, alan, alice, bob, bea, asks)


# Seed 000's example scorecard (section 10): the default names its metrics without numbers, so
# the tests that judge values against a baseline and a target set these first.
EXAMPLE_TARGETS = (
    ("reviews", 12, 25, "quarter", "monthly"),
    ("referrals", 3, 8, "month", "monthly"),
    ("case_study_conversion", 8, 15, "quarter", "quarterly"),
)


def set_example_targets() -> None:
    from advocacy.metrics.scorecard import set_entry

    for code, baseline, target, window, cadence in EXAMPLE_TARGETS:
        set_entry(code, baseline=baseline, target=target, window=window, cadence=cadence, now=NOW)
