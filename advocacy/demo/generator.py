"""Generate a reproducible demo program: accounts, their contacts, and two years of signals.

Every account and every account's contacts come from their own `random.Random` seeded by
(seed, kind, index), so any part can be regenerated on its own without keeping it in memory:
accounts are held (one small object each, about 100k at most), contacts and signals are
streamed, regenerated per account when needed. The same seed, sizes and `now` give the same
rows, whatever the chunk size or the writer.

Each account has a latent happiness (its `mood`) around which a monthly path drifts; health
scores follow the path, NPS answers follow it with a per-person offset, happy accounts renew,
expand, share results and get nominated, unhappy ones open more tickets and are flagged as
churn risks. `simulation.py` holds that part.
"""

from __future__ import annotations

import functools
import math
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from faker import Faker

from advocacy.customers.models import Persona
from advocacy.demo import vocab

T = TypeVar("T")

WINDOW_DAYS = 730  # two years of signals
MONTHS = 24
MONTH = timedelta(days=WINDOW_DAYS / MONTHS)
HISTORY_DAYS = 4 * 365  # customer_since is spread over about four years
NAME_POOL = 300  # first and last names drawn per locale


@dataclass(frozen=True)
class DemoSize:
    """How much to generate. `signals=None` keeps what two years of activity naturally give."""

    accounts: int = 1000
    contacts: int = 10_000
    signals: int | None = None
    seed: int = 42

    def __post_init__(self) -> None:
        for name in ("accounts", "contacts"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected 0 or more, found {getattr(self, name)}")
        if self.signals is not None and self.signals < 0:
            raise ValueError(f"signals: expected 0 or more, found {self.signals}")
        if self.accounts == 0 and (self.contacts or self.signals):
            raise ValueError("contacts and signals need at least one account (--accounts 1+)")


@dataclass(slots=True)
class AccountSpec:
    index: int
    name: str
    domain: str
    industry: str
    region: str
    size_band: str
    employees: int
    arr: Decimal
    products: tuple[str, ...]
    use_cases: tuple[str, ...]
    competitors_replaced: tuple[str, ...]
    customer_since: date
    renewal_date: date
    nda: bool
    sensitive_industry: bool
    competitor_adjacent: bool
    churn_risk: bool
    term_years: int  # contract length: renewals come on these anniversaries
    mood: float  # the happiness the account drifts around, 0..1
    locale: str
    weight: float  # relative number of contacts
    owner: int  # index into the program's CSMs
    contacts: int = 0  # how many contacts it has
    first_contact: int = 0  # global index of its first contact


@dataclass(slots=True)
class ContactSpec:
    index: int  # global, 0-based, in account order
    account: int
    email: str
    first_name: str
    last_name: str
    title: str
    persona: str
    phone: str
    left_company_at: datetime | None
    opted_out_at: datetime | None
    offset: float  # this person's happiness relative to the account's


_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "ł": "l"})


def ascii_slug(text: str, sep: str = "") -> str:
    """Fold accents and keep letters and digits: `João da Rocha` -> `joaodarocha`."""
    normal = unicodedata.normalize("NFKD", text.translate(_FOLD))
    folded = normal.encode("ascii", "ignore").decode().lower()
    words = ["".join(ch for ch in word if ch.isalnum()) for word in folded.split()]
    return sep.join(word for word in words if word)


def weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights)[0]


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` into whole parts proportional to `weights` that sum exactly to `total`.

    Largest-remainder rounding, ties broken by position, so the split is deterministic.
    Each part gets `minimum` first when the total allows it.
    """
    count = len(weights)
    if count == 0:
        return []
    floor = minimum if total >= minimum * count else 0
    rest = total - floor * count
    weight_sum = sum(weights) or 1.0
    shares = [rest * w / weight_sum for w in weights]
    parts = [floor + int(s) for s in shares]
    missing = total - sum(parts)
    by_remainder = sorted(range(count), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_remainder[:missing]:
        parts[i] += 1
    return parts


class NamePools:
    """First and last names per locale, drawn once from Faker with the program's seed."""

    def __init__(self, seed: int) -> None:
        self.first: dict[str, list[str]] = {}
        self.last: dict[str, list[str]] = {}
        for _region, _share, locales in vocab.REGIONS:
            for locale in locales:
                fake = Faker(locale, providers=["faker.providers.person"])
                fake.seed_instance(seed)
                self.first[locale] = [fake.first_name() for _ in range(NAME_POOL)]
                self.last[locale] = [fake.last_name() for _ in range(NAME_POOL)]
        fake = Faker("en_US", providers=["faker.providers.person"])
        fake.seed_instance(seed)
        self.csms = [(fake.first_name(), fake.last_name()) for _ in range(8)]


@functools.lru_cache(maxsize=4)
def name_pools(seed: int) -> NamePools:
    """The pools for a seed, drawn once per process (they never change for a seed)."""
    return NamePools(seed)


class DemoProgram:
    """One generated program. Accounts are built at once; contacts and signals are streamed."""

    def __init__(self, size: DemoSize, *, now: datetime) -> None:
        self.size = size
        self.now = now.astimezone(UTC)
        self.window_start = self.now - timedelta(days=WINDOW_DAYS)
        self.names = name_pools(size.seed)
        self.accounts: list[AccountSpec] = []
        used_names: set[str] = set()
        used_domains: set[str] = set()
        for index in range(size.accounts):
            self.accounts.append(self._account(index, used_names, used_domains))
        counts = allocate(size.contacts, [a.weight for a in self.accounts], minimum=1)
        first = 0
        for account, count in zip(self.accounts, counts, strict=True):
            account.contacts, account.first_contact = count, first
            first += count
        self.signal_quotas: list[int] | None = None
        if size.signals is not None:
            weights = [self.active_months(a) * (2.6 + 0.9 * a.contacts) for a in self.accounts]
            self.signal_quotas = allocate(size.signals, weights)

    def estimated_signals(self) -> int:
        """The number of signals to expect, for progress bars (exact when `signals` is set)."""
        if self.size.signals is not None:
            return self.size.signals
        return int(sum(self.active_months(a) * (2.6 + 0.9 * a.contacts) for a in self.accounts))

    @property
    def csms(self) -> list[tuple[str, str]]:
        return self.names.csms

    def rng(self, kind: str, index: int) -> random.Random:
        return random.Random(f"{self.size.seed}/{kind}/{index}")

    # -- accounts -------------------------------------------------------------------------------

    def _account(self, index: int, used_names: set[str], used_domains: set[str]) -> AccountSpec:
        rng = self.rng("account", index)
        industry, _w, nouns, use_cases, sensitive = weighted(
            rng, vocab.INDUSTRIES, [i[1] for i in vocab.INDUSTRIES]
        )
        region, _s, locales = weighted(rng, vocab.REGIONS, [r[1] for r in vocab.REGIONS])
        locale = rng.choice(locales)
        band, _b, (emp_lo, emp_hi), (arr_lo, arr_hi), contact_weight = weighted(
            rng, vocab.SIZE_BANDS, [b[1] for b in vocab.SIZE_BANDS]
        )
        employees = int(math.exp(rng.uniform(math.log(emp_lo), math.log(emp_hi + 1))))
        employees = int(clamp(employees, emp_lo, emp_hi))
        # ARR grows with headcount inside the band, with noise.
        position = (math.log(employees) - math.log(emp_lo)) / (math.log(emp_hi) - math.log(emp_lo))
        arr_log = math.log(arr_lo) + (math.log(arr_hi) - math.log(arr_lo)) * position
        arr = int(clamp(math.exp(arr_log + rng.gauss(0, 0.25)), arr_lo, arr_hi * 1.3))
        name, domain = self._company_name(rng, locale, nouns, used_names, used_domains)
        # Somewhat more recent customers than old ones: the company grew.
        days_ago = int(HISTORY_DAYS * (1 - rng.random() ** 0.75)) + 30
        customer_since = (self.now - timedelta(days=days_ago)).date()
        years = 2 if rng.random() < 0.15 else 1
        renewal = customer_since
        while renewal <= self.now.date():
            renewal = add_years(renewal, years)
        mood = clamp(rng.betavariate(5, 2.6), 0.05, 0.97)
        products = ["Core Platform", *rng.sample(vocab.PRODUCTS[1:], rng.randint(0, 3))]
        uses = rng.sample(use_cases, rng.randint(1, 2))
        replaced = rng.sample(vocab.COMPETITORS, rng.choice((0, 1, 1, 1, 2)))
        account = AccountSpec(
            index=index,
            name=name,
            domain=domain,
            industry=industry,
            region=str(region),
            size_band=str(band),
            employees=employees,
            arr=Decimal(arr - arr % 100),
            products=tuple(products),
            use_cases=tuple(uses),
            competitors_replaced=tuple(replaced),
            customer_since=customer_since,
            renewal_date=renewal,
            nda=rng.random() < 0.05,
            sensitive_industry=rng.random() < (0.85 if sensitive else 0.01),
            competitor_adjacent=rng.random() < 0.02,
            churn_risk=False,
            term_years=years,
            mood=mood,
            locale=locale,
            weight=contact_weight * math.exp(rng.gauss(0, 0.35)),
            owner=rng.randrange(len(self.names.csms)),
        )
        path = self.mood_path(account)
        account.churn_risk = path[-1] < 0.35 or (path[-1] < 0.45 and path[-1] < path[-4] - 0.15)
        return account

    def _company_name(
        self,
        rng: random.Random,
        locale: str,
        nouns: Sequence[str],
        used_names: set[str],
        used_domains: set[str],
    ) -> tuple[str, str]:
        suffixes = vocab.COMPANY_SUFFIXES[locale]
        lasts = self.names.last[locale]
        for attempt in range(50):
            surname = rng.choice(lasts).split("-")[0]
            if attempt >= 10:  # crowded: two surnames make many more combinations
                surname = f"{surname} & {rng.choice(lasts).split('-')[0]}"
            base = f"{surname} {rng.choice(nouns)}"
            slug = ascii_slug(base, "-")
            if base in used_names or not slug or f"{slug}.{vocab.DOMAIN_SUFFIX}" in used_domains:
                continue
            used_names.add(base)
            domain = f"{slug}.{vocab.DOMAIN_SUFFIX}"
            used_domains.add(domain)
            suffix = rng.choice(suffixes)
            return (f"{base} {suffix}" if suffix else base), domain
        base = f"{rng.choice(lasts)} {rng.choice(nouns)} {len(used_names) + 1}"
        domain = f"{ascii_slug(base, '-')}.{vocab.DOMAIN_SUFFIX}"
        used_names.add(base)
        used_domains.add(domain)
        return base, domain

    def mood_path(self, account: AccountSpec) -> list[float]:
        """Return the account's happiness for each of the 24 months of the window (0..1).

        A mean-reverting walk around the account's mood, with rare shocks (an outage, the
        champion leaving) that it recovers from over a few months.
        """
        rng = self.rng("mood", account.index)
        level = clamp(account.mood + rng.gauss(0, 0.1), 0.02, 0.98)
        path = []
        for _ in range(MONTHS):
            level += 0.25 * (account.mood - level) + rng.gauss(0, 0.06)
            if rng.random() < 0.04:
                level -= rng.uniform(0.15, 0.35)
            level = clamp(level, 0.02, 0.98)
            path.append(level)
        return path

    def active_months(self, account: AccountSpec) -> int:
        """How many of the window's months the account was a customer in."""
        since = datetime.combine(account.customer_since, datetime.min.time(), UTC)
        if since <= self.window_start:
            return MONTHS
        return max(1, MONTHS - int((since - self.window_start) / MONTH))

    # -- contacts -------------------------------------------------------------------------------

    def account_contacts(self, account: AccountSpec) -> list[ContactSpec]:
        """Regenerate one account's contacts (the same every time)."""
        rng = self.rng("contacts", account.index)
        firsts, lasts = self.names.first[account.locale], self.names.last[account.locale]
        personas = [p[0] for p in vocab.PERSONAS]
        shares = [p[1] for p in vocab.PERSONAS]
        titles = {p[0]: p[2] for p in vocab.PERSONAS}
        opening = (Persona.CHAMPION, Persona.ADMIN, Persona.DECISION_MAKER)
        since = datetime.combine(account.customer_since, datetime.min.time(), UTC)
        since = max(since, self.window_start)
        span = max((self.now - since).total_seconds(), 86400.0)
        used: set[str] = set()
        contacts = []
        for j in range(account.contacts):
            persona = opening[j] if j < len(opening) else weighted(rng, personas, shares)
            first, last = rng.choice(firsts), rng.choice(lasts)
            local = _email_local(rng, first, last)
            email = f"{local}@{account.domain}"
            n = 1
            while email in used:
                n += 1
                email = f"{local}{n}@{account.domain}"
            used.add(email)
            left = opted = None
            if rng.random() < 0.07:
                left = since + timedelta(seconds=int(rng.random() * span))
            if rng.random() < 0.02:
                opted = since + timedelta(seconds=int(rng.random() * span))
            phone = f"+1 555 01{rng.randrange(100):02d}" if rng.random() < 0.4 else ""
            contacts.append(
                ContactSpec(
                    index=account.first_contact + j,
                    account=account.index,
                    email=email,
                    first_name=first,
                    last_name=last,
                    title=rng.choice(titles[persona]),
                    persona=str(persona),
                    phone=phone,
                    left_company_at=left,
                    opted_out_at=opted,
                    offset=rng.gauss(0, 0.1),
                )
            )
        return contacts

    def contacts(self) -> Iterator[ContactSpec]:
        for account in self.accounts:
            yield from self.account_contacts(account)


def _email_local(rng: random.Random, first: str, last: str) -> str:
    f, la = ascii_slug(first) or "x", ascii_slug(last) or "x"
    pattern = rng.random()
    if pattern < 0.6:
        return f"{f}.{la}"
    if pattern < 0.85:
        return f"{f[0]}{la}"
    return f"{f}"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
