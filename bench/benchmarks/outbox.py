"""outbox: deliver queued emails to a local SMTP sink, beside a bare smtplib loop.

10,000 asks (at the small scale) are queued by `open_asks`, so 10,000 emails wait in the outbox
(not timed). A sink (aiosmtpd's `Sink` handler, in a process of its own on 127.0.0.1) accepts
and discards everything.

Figures:

- `deliver`: messages per second of `deliver_due` with the default batch: claim under a lease,
  the set-based checks, render (HTML and plain text, a magic link and the unsubscribe headers
  each), send over one SMTP conversation (the default), record each batch's outcomes, attempts and
  the asks moved to sent. Baseline: a bare `smtplib` loop over one connection sending the same
  number of messages of the same size (one of ours, rendered once, sent again and again): what
  the wire and the sink cost. Goal: at least half the bare rate.

The two alternate in rounds (ROUNDS, each a fifth of the messages in whole batches): the
baseline then ours, ours then the baseline, and so on; each rate is over all its rounds, and
`round_ratios` gives each round's. A change in the machine's load (other work starting or
ending) then falls on both alike instead of on whichever ran second.
"""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.test.utils import override_settings

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import Policy
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.messaging.rendering import email_of, render
from bench.harness import Context, Figure, benchmark, rate_figure

NAME = "outbox"
SIZES = {"tiny": 200, "small": 10_000, "full": 100_000}
GOAL = 0.5
NO_CAPS = Policy(cap_days=dict.fromkeys(("low", "medium", "high", "very_high"), 0), ask_types={})
CHUNK = 5_000
# The two alternate in rounds (baseline, subject, subject, baseline, ...), so that a change in
# the machine's load during the run falls on both alike.
ROUNDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as probe:
                probe.noop()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise RuntimeError("the SMTP sink did not start")


def queue(n: int, now: datetime) -> None:
    account = Account.objects.create(name="Bench", domain="bench.example")
    from advocacy.pipeline.models import AskType

    review = AskType.objects.get(code="review")
    for start in range(0, n, CHUNK):
        contacts = Contact.objects.bulk_create(
            [
                Contact(account=account, email=f"c{i}@bench.example", first_name=f"C{i}")
                for i in range(start, min(n, start + CHUNK))
            ]
        )
        open_asks(
            [AskRequest(c.pk, review, "bench", status="queued", channel="email") for c in contacts],
            now=now,
            policy=NO_CAPS,
        )


def bare(n: int, port: int, payload: bytes, start: int = 0) -> float:
    """Seconds a plain smtplib loop takes to send `payload` n times over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for i in range(start, start + n):
            smtp.sendmail("advocacy@bench.example", [f"c{i}@bench.example"], payload)
    return time.perf_counter() - started


def rounds(n: int, batch: int) -> list[int]:
    """The messages of each round: whole batches, ROUNDS rounds or fewer (tiny: one)."""
    batches = -(-n // batch)
    per = -(-batches // min(ROUNDS, batches))
    plan = [per * batch] * (batches // per)
    if n - sum(plan) > 0:
        plan.append(n - sum(plan))
    return plan


@benchmark(NAME, "deliver 10k queued emails to a local SMTP sink vs a bare smtplib loop")
def run(ctx: Context) -> Iterable[Figure]:
    n = SIZES[ctx.scale]
    now = datetime.now(UTC)
    ctx.log(f"queueing {n:,} emails (not timed)")
    queue(n, now)
    port = free_port()
    sink = start_sink(port)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            QUIET_HOURS=None,
        ):
            sample = Message.objects.select_related("contact__account", "ask__ask_type").first()
            assert sample is not None
            mime = email_of(render(sample)).message()
            payload = mime.as_bytes(linesep="\r\n")  # type: ignore[call-arg]
            batch = settings.OUTBOX_BATCH
            plan = rounds(n, batch)
            ctx.log(
                f"{len(plan)} rounds of a bare smtplib loop ({len(payload):,} bytes a message) "
                f"and deliver_due (batches of {batch}), alternating"
            )
            baseline = seconds = 0.0
            sent, done, pairs = 0, 0, []
            for i, count in enumerate(plan):
                ours = theirs = 0.0
                for turn in ("bare", "ours") if i % 2 == 0 else ("ours", "bare"):
                    if turn == "bare":
                        theirs = bare(count, port, payload, start=done)
                    else:
                        started = time.perf_counter()
                        report = deliver_due(
                            now=now,
                            worker_id="bench",
                            reminders=False,
                            max_batches=-(-count // batch),
                        )
                        ours = time.perf_counter() - started
                        assert report.sent == count, report
                        sent += report.sent
                baseline, seconds, done = baseline + theirs, seconds + ours, done + count
                pairs.append(round(theirs / ours, 3) if ours else None)
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    assert sent == n
    figure = rate_figure(NAME, "deliver", n, seconds, baseline, GOAL)
    figure.extra.update(
        unit_note="messages/s",
        batch=settings.OUTBOX_BATCH,
        bytes_per_message=len(payload),
        round_ratios=pairs,
    )
    yield figure
