"""Tap caps hold for every path that opens an ask, including under concurrency."""

import itertools
import multiprocessing
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.caps import covering
from advocacy.engine.models import CapOverride, ContactPreference
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import Ask, AskType

BASE = datetime(2026, 1, 1, 9, tzinfo=UTC)


class Rollback(Exception):
    pass


def make_contacts(n):
    account = Account.objects.create(name="Acme", domain="acme.example")
    return [Contact.objects.create(account=account, email=f"p{i}@acme.example") for i in range(n)]


@pytest.mark.django_db
def test_a_second_ask_inside_the_window_is_capped_and_an_override_is_audited(member):
    (contact,) = make_contacts(1)
    review = AskType.objects.get(code="community")  # low effort, no limit of its own
    first = open_asks([AskRequest(contact.pk, review, "m1")], now=BASE)
    again = open_asks([AskRequest(contact.pk, review, "m2")], now=BASE + timedelta(days=29))
    later = open_asks([AskRequest(contact.pk, review, "m3")], now=BASE + timedelta(days=30))
    forced = open_asks(
        [AskRequest(contact.pk, review, "m4")],
        now=BASE + timedelta(days=31),
        actor=member,
        override_reason="customer asked to write one",
    )
    assert (len(first.opened), len(again.opened), len(again.capped)) == (1, 0, 1)
    assert len(later.opened) == 1
    assert len(forced.opened) == 1
    assert CapOverride.objects.get().reason == "customer asked to write one"
    replay = open_asks([AskRequest(contact.pk, review, "m1")], now=BASE + timedelta(days=90))
    assert (len(replay.opened), len(replay.duplicate)) == (0, 1)


@pytest.mark.django_db
def test_own_preference_only_tightens_the_cap():
    a, b = make_contacts(2)
    review = AskType.objects.get(code="community")
    ContactPreference.objects.create(contact=a, effort="low", min_days_between=60)
    ContactPreference.objects.create(contact=b, effort="low", min_days_between=5)
    open_asks([AskRequest(a.pk, review, "m1"), AskRequest(b.pk, review, "m1")], now=BASE)
    day40 = open_asks(
        [AskRequest(a.pk, review, "m2"), AskRequest(b.pk, review, "m2")],
        now=BASE + timedelta(days=40),
    )
    assert [r.contact_id for r in day40.opened] == [b.pk]
    assert [r.contact_id for r in day40.capped] == [a.pk]


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    attempts=st.lists(
        st.tuples(
            st.integers(0, 2),  # contact
            st.sampled_from(["review", "case_study", "reference_call", "speaker", "community"]),
            st.integers(0, 400),  # day
            st.booleans(),  # batch with the previous attempt
        ),
        min_size=1,
        max_size=25,
    ),
    prefs=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 200)), max_size=3),
)
def test_no_contact_ever_exceeds_a_cap(attempts, prefs):
    """GIVEN random asks at random moments WHEN opened THEN an ask is always at least the
    (preference-tightened) window of every effort it is held by after any earlier ask that
    window covers, and no ask type is asked more often than its own limit allows."""
    try:
        with transaction.atomic():
            contacts = make_contacts(3)
            types = {t.code: t for t in AskType.objects.all()}
            own = {}
            for idx, days in prefs:
                ContactPreference.objects.update_or_create(
                    contact=contacts[idx], effort="low", defaults={"min_days_between": days}
                )
                own[contacts[idx].pk] = days
            batches: list[list[tuple[int, str, int]]] = []
            for contact_idx, code, day, join in sorted(attempts, key=lambda a: a[2]):
                item = (contact_idx, code, day)
                if join and batches and batches[-1][0][2] == day:
                    batches[-1].append(item)
                else:
                    batches.append([item])
            for n, batch in enumerate(batches):
                open_asks(
                    [
                        AskRequest(contacts[c].pk, types[code], f"a{n}-{i}")
                        for i, (c, code, _) in enumerate(batch)
                    ],
                    now=BASE + timedelta(days=batch[0][2]),
                )
            asks = sorted(
                Ask.objects.values_list(
                    "contact_id", "ask_type__code", "ask_type__effort", "opened_at"
                ),
                key=lambda a: a[3],
            )
            for earlier, later in itertools.combinations(asks, 2):
                if earlier[0] != later[0]:
                    continue
                gap = (later[3] - earlier[3]).days
                held = covering(types[later[1]], DEFAULT_POLICY)
                counted = covering(types[earlier[1]], DEFAULT_POLICY)
                for effort in held:
                    # The window of `effort` covers asks of that effort and higher.
                    if effort in counted:
                        window = DEFAULT_POLICY.cap_for(effort)
                        if effort == "low":
                            window = max(window, own.get(later[0], 0))
                        assert gap >= window, (earlier, later, effort, window)
            by_type = defaultdict(list)
            for contact_id, code, _, opened in asks:
                by_type[(contact_id, code)].append(opened)
            for (_, code), times in by_type.items():
                rules = DEFAULT_POLICY.for_type(code)
                if rules.max_asks is None:
                    continue
                allowed = rules.default_max_asks or rules.max_asks
                for t in times:
                    if rules.per_days is None:
                        inside = times
                    else:
                        inside = [u for u in times if t - timedelta(days=rules.per_days) < u <= t]
                    assert len(inside) <= allowed, (code, times)
            raise Rollback
    except Rollback:
        pass


ROUNDS = 200
WORKERS = 8


def _race(worker: int, contact_id: int, code: str, days: int, barrier, out) -> None:
    connections.close_all()  # never share the parent's connection across a fork
    ask_type = AskType.objects.get(code=code)
    won = 0
    for n in range(ROUNDS):
        barrier.wait()
        result = open_asks(
            [AskRequest(contact_id, ask_type, f"manual:{n}:{worker}")],
            now=BASE + timedelta(days=days * n),
        )
        won += len(result.opened)
    connections.close_all()
    out.put(won)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("code", "days"),
    [
        ("video_testimonial", 91),  # held by the high-effort window (and the lower ones)
        ("reference_call", 31),  # outside the windows: held by its own limit, one a month
    ],
)
def test_eight_processes_racing_open_exactly_one_ask_per_round(postgres_only, code, days):
    (contact,) = make_contacts(1)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_race, args=(w, contact.pk, code, days, barrier, out))
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    wins = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    per_round = Counter(m.split(":")[1] for m in Ask.objects.values_list("moment", flat=True))
    assert sum(wins) == ROUNDS
    assert sorted(per_round.values()) == [1] * ROUNDS
