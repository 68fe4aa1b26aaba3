"""pages: the pages a user waits on, each beside the same SQL statements run bare.

The program is the dashboard benchmark's (the demo generator's accounts, contacts and signals,
the default playbook run once, every profile refreshed, a share of the asks moved along the
funnel; not timed). Each page is then requested through the whole stack (Django's test client:
middleware, session, view, template) as a logged-in owner:

- `contact`: `/contacts/<id>/`, for contacts drawn at random (the ones with asks among them);
- `account`: `/accounts/<id>/`, for accounts drawn at random;
- `advocates`: `/advocates/`, the first page and pages further on;
- `pipeline`: `/pipeline/`, the board.

Figure `page_p95` (one per page, its `page` field naming it): the 95th percentile of the
response times, with p50 beside it. Baseline: for each request, the SQL statements that request
issued (captured while it ran), executed again bare through the database cursor with every
result fetched: the page's cost beyond its queries. Goals: p95 under 300 ms, and within 2x of
the bare queries' p95.

With `--reuse DIR` (a folder a `--keep` run left) the generation is skipped.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from advocacy.customers.models import Account, Contact
from advocacy.people.models import Role, User
from advocacy.pipeline.models import Ask
from bench.benchmarks import dashboard
from bench.harness import Context, Figure, benchmark

NAME = "pages"
GOAL_MS = 300.0
GOAL_RATIO = 2.0
SAMPLES = {"tiny": 8, "small": 60, "full": 100}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_get(client: Client, url: str) -> tuple[float, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, [q["sql"] for q in captured.captured_queries]


def bare(statements: list[str]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - started


def measure(ctx: Context, page: str, client: Client, urls: list[str]) -> Figure:
    timed_get(client, urls[0])  # warm-up: templates compiled, caches filled
    pages, baselines, counts = [], [], []
    for url in urls:
        seconds, statements = timed_get(client, url)
        pages.append(seconds * 1000)
        baselines.append(bare(statements) * 1000)
        counts.append(len(statements))
    p95, base95 = percentile(pages, 0.95), percentile(baselines, 0.95)
    ratio = p95 / base95 if base95 else None
    ctx.log(f"{page}: p95 {p95:.1f} ms, bare queries p95 {base95:.1f} ms, {len(urls)} requests")
    return Figure(
        bench=NAME,
        figure="page_p95",
        value=round(p95, 1),
        unit="ms",
        baseline=round(base95, 1),
        ratio=None if ratio is None else round(ratio, 3),
        goal=f"value < {GOAL_MS:g} and ratio <= {GOAL_RATIO:g}",
        met=p95 < GOAL_MS and ratio is not None and ratio <= GOAL_RATIO,
        extra={
            "page": page,
            "p95_met": p95 < GOAL_MS,
            "ratio_met": ratio is not None and ratio <= GOAL_RATIO,
            "p50": round(percentile(pages, 0.5), 1),
            "baseline_p50": round(percentile(baselines, 0.5), 1),
            "requests": len(urls),
            "queries_median": statistics.median(counts),
            "baseline_is": "each request's SQL statements executed bare through the cursor",
        },
    )


def sample_ids(model: type[Account] | type[Contact], n: int, rng: random.Random) -> list[int]:
    """`n` ids drawn at random (fewer only if there are fewer rows), without reading every
    row: ids span a range with few gaps, so draws that miss are drawn again."""
    first = model.objects.order_by("pk").values_list("pk", flat=True).first()
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert first is not None and last is not None, "the program is empty"
    ids: set[int] = set()
    for _ in range(20):
        drawn = {rng.randint(first, last) for _ in range(2 * (n - len(ids)))} - ids
        ids |= set(model.objects.filter(pk__in=drawn).values_list("pk", flat=True))
        if len(ids) >= n or len(ids) == model.objects.count():
            break
    return sorted(ids)[:n] if len(ids) <= n else rng.sample(sorted(ids), n)


@benchmark(NAME, "the contact, account, advocates and pipeline pages (goal: p95 < 300 ms, <= 2x)")
def pages_benchmark(ctx: Context) -> Iterable[Figure]:
    moment = ctx.workdir / "pages_prepared_at"
    if ctx.reuse and moment.exists():
        ctx.log(f"reusing the program prepared at {moment.read_text().strip()}")
    else:
        now = datetime.now(UTC).replace(microsecond=0)
        dashboard.prepare(ctx, now)
        moment.write_text(now.isoformat())
    user, _ = User.objects.get_or_create(username="bench-pages", defaults={"role": Role.ADMIN})
    client = Client()
    client.force_login(user)
    n = SAMPLES.get(ctx.scale, SAMPLES["small"])
    rng = random.Random(17)
    # A quarter of the contacts drawn among those with asks, whose pages show the most.
    with_asks = list(Ask.objects.order_by().values_list("contact_id", flat=True).distinct()[:n])
    asked = rng.sample(with_asks, min(n // 4, len(with_asks)))
    others = [pk for pk in sample_ids(Contact, n, rng) if pk not in asked]
    contacts = asked + others[: n - len(asked)]
    yield measure(ctx, "contact", client, [f"/contacts/{pk}/" for pk in contacts])
    accounts = sample_ids(Account, n, rng)
    yield measure(ctx, "account", client, [f"/accounts/{pk}/" for pk in accounts])
    listing = [f"/advocates/?page={1 + i % 5}" for i in range(max(4, n // 3))]
    yield measure(ctx, "advocates", client, listing)
    yield measure(ctx, "pipeline", client, ["/pipeline/"] * max(4, n // 3))
