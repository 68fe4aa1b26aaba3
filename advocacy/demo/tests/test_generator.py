"""The generator is reproducible, exact about sizes, streaming, and its data make sense."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.customers.models import Persona, Region, SizeBand
from advocacy.demo.generator import DemoProgram, DemoSize, allocate, ascii_slug
from advocacy.demo.simulation import iter_signals
from advocacy.signals.models import VALUE_RANGES, SignalKind

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def first_rows(program: DemoProgram, n: int = 40) -> tuple[list, list, list]:
    accounts = [(a.name, a.domain, a.industry, a.arr, a.customer_since) for a in program.accounts]
    contacts = [(c.email, c.persona, c.title) for c in itertools.islice(program.contacts(), n)]
    signals = [
        (s.key, s.kind, s.occurred_at, s.value, s.contact and s.contact.email)
        for s in itertools.islice(iter_signals(program), n)
    ]
    return accounts[:n], contacts, signals


def test_same_seed_gives_the_same_rows_and_counts() -> None:
    size = DemoSize(accounts=30, contacts=200, seed=5)
    one, two = DemoProgram(size, now=NOW), DemoProgram(size, now=NOW)

    assert first_rows(one) == first_rows(two)
    assert sum(1 for _ in iter_signals(one)) == sum(1 for _ in iter_signals(two))


def test_another_seed_gives_other_rows() -> None:
    one = DemoProgram(DemoSize(accounts=30, contacts=200, seed=5), now=NOW)
    other = DemoProgram(DemoSize(accounts=30, contacts=200, seed=6), now=NOW)

    assert first_rows(one)[0] != first_rows(other)[0]


@pytest.mark.parametrize("signals", [0, 1, 777, 5000])
def test_signals_option_gives_exactly_that_many(signals: int) -> None:
    program = DemoProgram(DemoSize(accounts=12, contacts=80, signals=signals), now=NOW)

    rows = list(iter_signals(program))

    assert len(rows) == signals
    assert len({row.key for row in rows}) == signals
    assert [row.key for row in rows[:2]] == ["demo:1", "demo:2"][: min(2, signals)]


def test_contacts_option_gives_exactly_that_many_with_unique_emails() -> None:
    program = DemoProgram(DemoSize(accounts=40, contacts=413), now=NOW)

    contacts = list(program.contacts())

    assert len(contacts) == 413
    assert len({c.email for c in contacts}) == 413
    assert [c.index for c in contacts] == list(range(413))
    assert min(a.contacts for a in program.accounts) >= 1
    assert all(c.email.endswith("@" + program.accounts[c.account].domain) for c in contacts)


def test_signals_stream_without_generating_everything_first() -> None:
    """GIVEN ten million signals asked for WHEN the first one is read THEN it comes at once."""
    program = DemoProgram(DemoSize(accounts=5000, contacts=5000, signals=10_000_000), now=NOW)

    first = next(iter_signals(program))

    assert first.key == "demo:1"


def test_values_fields_and_times_are_valid() -> None:
    program = DemoProgram(DemoSize(accounts=40, contacts=300), now=NOW)
    regions, bands, personas = set(Region.values), set(SizeBand.values), set(Persona.values)

    for account in program.accounts:
        assert account.region in regions
        assert account.size_band in bands
        assert SizeBand.for_employees(account.employees) == account.size_band
        assert account.domain.endswith(".example.com")
        assert account.customer_since < NOW.date() < account.renewal_date
    assert {c.persona for c in program.contacts()} <= personas
    kinds = set(SignalKind.values)
    for signal in iter_signals(program):
        assert signal.kind in kinds
        assert NOW - timedelta(days=731) <= signal.occurred_at <= NOW
        low, high = VALUE_RANGES.get(signal.kind, (float("-inf"), float("inf")))
        if signal.value is not None:
            assert low <= signal.value <= high


def test_happy_accounts_renew_and_unhappy_ones_open_tickets() -> None:
    """Mean NPS of accounts that renewed beats that of the accounts with the most tickets."""
    program = DemoProgram(DemoSize(accounts=200, contacts=1600, seed=11), now=NOW)
    nps: dict[int, list[float]] = defaultdict(list)
    health: dict[int, list[float]] = defaultdict(list)
    tickets: dict[int, int] = defaultdict(int)
    renewed: set[int] = set()
    for s in iter_signals(program):
        index = s.account.index
        if s.kind == SignalKind.NPS and s.value is not None:
            nps[index].append(s.value)
        elif s.kind == SignalKind.HEALTH_SCORE and s.value is not None:
            health[index].append(s.value)
        elif s.kind == SignalKind.TICKET_OPENED:
            tickets[index] += 1
        elif s.kind == SignalKind.RENEWAL:
            renewed.add(index)
    most_tickets = sorted(tickets, key=lambda i: -tickets[i])[: len(tickets) // 5]

    def mean_nps(indexes: object) -> float:
        return statistics.mean(v for i in indexes for v in nps[i])  # type: ignore[attr-defined]

    assert mean_nps(renewed) > mean_nps(most_tickets) + 0.5
    churny = [a.index for a in program.accounts if a.churn_risk]
    steady = [a.index for a in program.accounts if not a.churn_risk]
    last_health = {i: values[-1] for i, values in health.items()}
    assert statistics.mean(last_health[i] for i in churny) < statistics.mean(
        last_health[i] for i in steady
    )


def test_allocate_splits_exactly_and_proportionally() -> None:
    assert allocate(10, [1.0, 1.0, 2.0]) == [3, 2, 5]
    assert allocate(3, [1.0, 1.0, 1.0, 1.0], minimum=1) == [1, 1, 1, 0]
    assert allocate(7, [5.0, 1.0], minimum=1) == [5, 2]
    assert allocate(0, []) == []


def test_ascii_slug_folds_accents() -> None:
    assert ascii_slug("João da Rocha") == "joaodarocha"
    assert ascii_slug("Weiß Apps", "-") == "weiss-apps"


def test_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one account"):
        DemoSize(accounts=0, contacts=5)
    with pytest.raises(ValueError, match="signals: expected 0 or more, found -1"):
        DemoSize(signals=-1)
