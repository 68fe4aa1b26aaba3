"""Deliver the outbox: claim due messages under a lease, check who must not be written to,
send over one SMTP connection, record every attempt.

One batch (ADVOCACY_OUTBOX_BATCH messages) at a time:

1. **Claim**, in one short transaction: the due rows (queued and due, or sending under a lease
   that ran out) are read `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers take
   different rows without waiting; SQLite has one writer at a time (IMMEDIATE transactions),
   and there the claim is the conditional UPDATE itself (`WHERE id IN (...) AND <still due>`).
   Claimed rows are `sending`, with this batch's token and a lease of
   ADVOCACY_OUTBOX_LEASE_SECONDS.
2. **Check**, set-based, one UPDATE per reason: the person opted out, left their company, is
   unsubscribed or erased (the suppression list) → held; the ask (or the content to approve)
   moved on → cancelled; the ask
   is paused → held until it is resumed; the person's quiet hours → queued again for their end.
3. **Send** the rest over the worker's SMTP conversations (ADVOCACY_OUTBOX_CONNECTIONS, kept
   open from batch to batch). A transient failure (4xx, a connection refused or lost) is
   retried after ADVOCACY_OUTBOX_RETRY_SECONDS, doubled at each attempt, up to
   ADVOCACY_OUTBOX_MAX_ATTEMPTS; a permanent one (5xx, a malformed address) fails at
   once and tells the ask's owner on the ask's history.
4. **Record** the batch's outcomes in one transaction: the rows, their attempts, the asks
   whose first email went out moved from queued to sent, and the team notices whose email
   went out stamped delivered.

With one SMTP conversation (the default) the batches are pipelined (`Pipeline`): batch N+1 is
claimed, checked, loaded and built while batch N is sent on a thread of its own, and handed to
the conversation once batch N is recorded.

Before the batches, each pass queues the team notices due by email (`queue_notices`): a notice
goes to a team member through this same machinery, as a message of kind `notice`, exempt from
the advocates' holds and quiet hours.

Delivery is at least once. The window in which a crash sends a message twice is exactly this:
from the moment the server accepts a message's DATA to the commit of step 4 for its batch (the
pipeline sends a batch only after the one before is recorded: one batch at most). A worker
killed in it leaves the rows `sending`; once their lease runs out another worker claims and
sends them again, with the same Message-ID. docs/operations.md, "The outbox".
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils import timezone

from advocacy.content.models import Asset, AssetStatus
from advocacy.core.bulk import insert_rows
from advocacy.core.zones import is_zone
from advocacy.customers.models import Account, Contact
from advocacy.customers.suppression import mail_suppressed
from advocacy.engine.models import Play
from advocacy.messaging import product
from advocacy.messaging.mime import envelope_address, fast_wire, wire_bytes
from advocacy.messaging.models import (
    TO_TEAM,
    AttemptResult,
    Channel,
    Message,
    MessageAttempt,
    MessageKind,
    MessageStatus,
    Reason,
)
from advocacy.messaging.outbox import (
    note_follow_ups,
    queue_notices,
    queue_reminders,
    queue_steps,
)
from advocacy.messaging.rendering import email_of, render
from advocacy.people.models import User
from advocacy.pipeline import notice_channels
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.pipeline.notices import mark_delivered
from advocacy.pipeline.services import advance_asks

logger = logging.getLogger(__name__)
K, S = MessageKind, MessageStatus
Clock = Callable[[], datetime]
ERROR_LENGTH = 500
ATTEMPT_COLUMNS = ("message_id", "at", "worker", "result", "smtp_code", "error")


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    cancelled: int = 0
    deferred: int = 0  # quiet hours
    reminders_queued: int = 0
    steps_queued: int = 0  # later steps of asks' channel sequences (advocacy.messaging.outbox)
    notices_queued: int = 0
    follow_ups_noted: int = 0  # owners told an ask's follow-up date came (emailed next pass)
    posted: int = 0  # notices delivered by the other channels (Slack)
    batches: int = 0
    released: int = 0  # back to queued untried: the batch ran near the end of its lease

    def add(self, other: DeliveryReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
            f"{self.held} held, {self.cancelled} cancelled, {self.deferred} waiting for the end "
            f"of quiet hours"
        )


# 1. Claim -------------------------------------------------------------------------------


def claim(now: datetime, *, worker_id: str, size: int) -> str | None:
    """Claim up to `size` due messages for this worker; the batch's token, or None.

    First one read outside any transaction: with nothing due (the usual case for a worker
    that polls) no write lock is taken, which on SQLite would hold up every other writer."""
    if not Message.objects.due(now).exists():
        return None
    with transaction.atomic():
        ids = list(
            Message.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None
        token = uuid.uuid4().hex
        claimed = (
            Message.objects.filter(pk__in=ids)
            .due(now)
            .update(
                status=S.SENDING,
                claim=token,
                claimed_by=worker_id,
                lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            )
        )
    return token if claimed else None


# 2. Check -------------------------------------------------------------------------------


def _ask_field(name: str) -> Subquery:
    return Subquery(Ask.objects.filter(pk=OuterRef("ask_id")).values(name)[:1])


def _settle(rows: QuerySet[Message], status: str, code: str, reason: Any = None) -> int:
    return rows.update(
        status=status,
        reason_code=code,
        reason=Value(Reason(code).label) if reason is None else reason,
        lease_until=None,
        claim="",
    )


def check(token: str, now: datetime) -> DeliveryReport:
    """Settle the claimed messages that must not go now, one UPDATE per reason."""
    report = DeliveryReport()
    claimed = Message.objects.filter(claim=token, status=S.SENDING)
    to_people = claimed.exclude(kind__in=TO_TEAM)
    # The contact's own holds bind what goes to the contact; a call invite to a seller or a
    # prospect (`to_email`) is held only if that address is on the suppression list.
    to_contact = to_people.filter(to_email="")
    report.held += _settle(
        to_contact.filter(contact__opted_out_at__isnull=False), S.HELD, "opted_out"
    )
    report.held += _settle(
        to_contact.filter(contact__left_company_at__isnull=False), S.HELD, "left_company"
    )
    emails: dict[str, int] = {}
    others: set[str] = set()
    for to_email, email, contact_id in to_people.values_list(
        "to_email", "contact__email", "contact_id"
    ):
        if to_email:
            others.add(to_email)
        else:
            emails[email] = contact_id
    barred: dict[str, list[int]] = defaultdict(list)
    barred_to: dict[str, list[str]] = defaultdict(list)
    for email, (why, _at) in mail_suppressed([*emails, *others]).items():
        if email in emails:
            barred[why].append(emails[email])
        if email in others:
            barred_to[why].append(email)
    for why, code in (("erased", "suppressed"), ("unsubscribed", "unsubscribed")):
        if barred[why]:
            rows = to_contact.filter(contact_id__in=barred[why])
            report.held += _settle(rows, S.HELD, code)
        if barred_to[why]:
            rows = to_people.filter(to_email__in=barred_to[why])
            report.held += _settle(rows, S.HELD, code)
    moved = (
        Q(kind=K.ASK) & ~Q(ask__status=AskStatus.QUEUED)
        | Q(kind__in=[K.REMINDER, K.INVITE, K.NUDGE]) & ~Q(ask__status=AskStatus.SENT)
        | Q(kind=K.THANKS) & ~Q(ask__status__in=[AskStatus.COMPLETED, AskStatus.PUBLISHED])
    )
    label = Reason.ASK_MOVED.label
    report.cancelled += _settle(
        to_people.filter(moved),
        S.CANCELLED,
        "ask_moved",
        Concat(Value(f"{label}: it is "), _ask_field("status"), output_field=CharField()),
    )
    report.cancelled += _settle(
        to_people.filter(kind=K.CALENDAR).filter(
            ~Q(call__outcome="scheduled") | Q(call_sequence__lt=F("call__sequence"))
        ),
        S.CANCELLED,
        "call_moved",
    )
    report.cancelled += _settle(
        to_people.filter(kind=K.APPROVAL).exclude(asset__status=AssetStatus.ADVOCATE_REVIEW),
        S.CANCELLED,
        "content_moved",
        Concat(
            Value(f"{Reason.CONTENT_MOVED.label}: it is "),
            Subquery(Asset.objects.filter(pk=OuterRef("asset_id")).values("status")[:1]),
            output_field=CharField(),
        ),
    )
    report.held += _settle(
        to_people.filter(ask__paused_at__isnull=False),
        S.HELD,
        "paused",
        Concat(
            Value(f"{Reason.PAUSED.label} ("),
            _ask_field("paused_reason"),
            Value("); it goes once the ask is resumed"),
            output_field=CharField(),
        ),
    )
    # The product shows an in-product reminder when the person is in it: no quiet hours.
    report.deferred += _quiet_hours(to_contact.filter(channel=Channel.EMAIL), now)
    return report


def _zone(name: str) -> ZoneInfo:
    """The person's zone, else the program's (ADVOCACY_TIME_ZONE)."""
    return _named_zone(name if name and is_zone(name) else settings.TIME_ZONE)


@cache
def _named_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _quiet_hours(rows: QuerySet[Message], now: datetime) -> int:
    """Put back the messages whose recipient is in quiet hours, due when they end there: one
    read, one UPDATE per distinct end (a few time zones)."""
    window = settings.QUIET_HOURS
    if window is None:
        return 0
    until: dict[tuple[datetime, str], list[int]] = defaultdict(list)
    for pk, name in rows.filter(status=S.SENDING).values_list("pk", "contact__timezone"):
        zone = _zone(name)
        end = window.holds_until(now, zone)
        if end is not None:
            until[(end, str(zone))].append(pk)
    for (end, zone_name), ids in until.items():
        Message.objects.filter(pk__in=ids).update(
            status=S.QUEUED,
            due_at=end,
            reason_code="quiet_hours",
            reason=f"Quiet hours ({window}) in {zone_name}: goes at {end:%H:%M} there",
            lease_until=None,
            claim="",
        )
    return sum(len(ids) for ids in until.values())


def release_resumed(now: datetime) -> int:
    """Queue again the messages held for a paused ask that has been resumed since (a read
    first, so that nothing to release takes no write lock)."""
    resumed = Message.objects.filter(
        status=S.HELD, reason_code="paused", ask__paused_at__isnull=True
    )
    if not resumed.exists():
        return 0
    return resumed.update(status=S.QUEUED, due_at=now, reason_code="", reason="")


# 3. Send --------------------------------------------------------------------------------


@dataclass
class Outcome:
    message: Message
    result: str
    code: int | None = None
    error: str = ""
    reason_code: str = ""
    broken: bool = False  # the connection is no use any more


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def classify(message: Message, exc: BaseException) -> Outcome:
    """What an exception from the mail backend means: retry (transient) or stop (permanent)."""
    t, p = AttemptResult.TRANSIENT, AttemptResult.PERMANENT
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, said = next(iter(exc.recipients.values()), (550, b"recipient refused"))
        text = f"{code} {_text(said)}"
        if 400 <= code < 500:
            return Outcome(message, t, code, text, "retrying")
        return Outcome(message, p, code, text, "refused")
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return Outcome(message, t, exc.smtp_code, text, "retrying", broken=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        text = f"{code} {_text(exc.smtp_error)}"
        if 400 <= code < 500 or code < 200:
            # After a 421 the server closes the conversation.
            return Outcome(message, t, code, text, "retrying", broken=code == 421)
        return Outcome(message, p, code, text, "refused")
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        what = (
            "the mail server closed the connection"
            if isinstance(exc, smtplib.SMTPServerDisconnected)
            else "the mail server could not be reached"
        )
        return Outcome(message, t, None, f"{what}: {exc}", "retrying", broken=True)
    if isinstance(exc, ValueError):  # Django refuses an address it cannot encode
        return Outcome(message, p, None, f"malformed address: {exc}", "bad_address")
    return Outcome(message, t, None, f"{type(exc).__name__}: {exc}", "retrying", broken=True)


# What an email is written from, beside the message itself: the rows each message has of its
# own come in the message's query; the rows a batch shares (the account and its owner, the ask
# type, the ask's owner, the play) once each for the whole batch, put in place on every message
# that has them; the relations only a few kinds have (content, a product event, a call, a
# notice; an in-product reminder's product event) only for the messages that have them.
OWN = ("contact", "ask", "ask__trigger_signal")
SHARED = ("contact__account__owner", "ask__ask_type", "ask__owner")
RARE = (
    "asset",
    "call__organizer",
    "call__contact__account",
    "call__requests__requested_by",
    "notice__ask__ask_type",
    "notice__contact__account",
)


def _load(token: str) -> list[Message]:
    """The claimed messages with what their emails are written from (`render` makes no query):
    a few queries a batch, each shared row built once."""
    messages = list(
        Message.objects.filter(claim=token, status=S.SENDING)
        .select_related(*OWN)
        .order_by("due_at", "pk")
    )
    _share(messages)
    rare = [
        m
        for m in messages
        if m.asset_id is not None or m.call_id is not None or m.notice_id is not None
    ]
    if rare:
        prefetch_related_objects(rare, *RARE)
    nudges = [m for m in messages if m.channel == Channel.IN_APP]
    if nudges:  # the product event an in-product reminder already has (a retry keeps it)
        prefetch_related_objects(nudges, "event")
    plays = {m.ask.play for m in messages if m.ask is not None and m.ask.play}
    by_name = {p.name: p for p in Play.objects.filter(name__in=plays)} if plays else {}
    for m in messages:
        if m.ask is not None:
            m.ask.play_row = by_name.get(m.ask.play)  # type: ignore[attr-defined]
    return messages


def _share(messages: list[Message]) -> None:
    """Put the batch's shared rows on its messages' contacts and asks: one query per kind of
    row (accounts, ask types, users), each row built once."""
    contacts = [m.contact for m in messages if m.contact is not None]
    asks = [m.ask for m in messages if m.ask is not None]
    accounts = Account.objects.in_bulk({c.account_id for c in contacts})
    types = AskType.objects.in_bulk({a.ask_type_id for a in asks})
    owners = {a.owner_id for a in asks} | {a.owner_id for a in accounts.values()}
    owners.discard(None)
    users = User.objects.in_bulk(owners) if owners else {}
    for account in accounts.values():
        account._state.fields_cache["owner"] = users.get(account.owner_id)  # type: ignore[index]
    for c in contacts:
        c._state.fields_cache["account"] = accounts[c.account_id]
    for a in asks:
        a._state.fields_cache["ask_type"] = types[a.ask_type_id]
        a._state.fields_cache["owner"] = users.get(a.owner_id) if a.owner_id else None


@dataclass(frozen=True)
class Wire:
    """An email as Django's SMTP backend puts it on the wire: envelope and bytes, built (in
    `Courier.prepare`) exactly as its `_send` builds them, ahead of the conversation."""

    mail: EmailMultiAlternatives
    from_email: str
    recipients: list[str]
    data: bytes


class Conversation:
    """One SMTP conversation: opened on the first message, reopened after a failure that
    broke it.

    With Django's SMTP backend the email is built into its envelope and bytes beforehand, as the
    backend's own `_send` builds them, and the conversation only talks (its
    `connection.sendmail`); any other backend (a file, the console, an email service's) gets
    the email through its `send_messages`.
    """

    def __init__(self, connection: Any = None) -> None:
        self.backend: Any = connection or get_connection()
        self.opened = False
        self.smtp = isinstance(self.backend, SmtpBackend)

    def deliver(self, message: Message, mail: EmailMultiAlternatives | Wire) -> Outcome:
        """Hand one prepared email to the server; what came of it."""
        try:
            if not self.opened:
                self.backend.open()
                self.opened = True
            if isinstance(mail, Wire):
                self.backend.connection.sendmail(mail.from_email, mail.recipients, mail.data)
            else:
                mail.connection = self.backend
                self.backend.send_messages([mail])
        except Exception as exc:
            outcome = classify(message, exc)
            if outcome.broken:
                self.close()
            return outcome
        return Outcome(message, AttemptResult.SENT)

    def close(self) -> None:
        if not self.opened:
            return
        self.opened = False
        try:
            self.backend.close()
        except Exception:  # closing a broken conversation may fail too; it is gone either way
            self.backend.connection = None


Prepared = Outcome | EmailMultiAlternatives | Wire


class Courier:
    """The worker's SMTP conversations (ADVOCACY_OUTBOX_CONNECTIONS), kept open from batch to
    batch, each talking on a thread of its own while this one builds the next emails.

    A conversation spends most of its time waiting for the server's replies, with the
    interpreter free, so the emails are built and the conversations talk at the same time.
    The threads touch no database: they take prepared emails from a queue and give back
    outcomes, which the calling thread records. A backend handed in, or one that is not Django's
    SMTP backend, is one conversation; one SMTP conversation talks on the pipeline's thread
    (`Pipeline`), any other backend in the calling thread.
    """

    def __init__(self, connection: Any = None, conversations: int | None = None) -> None:
        first = Conversation(connection)
        self.smtp = first.smtp
        count = conversations or settings.OUTBOX_CONNECTIONS
        if connection is not None or not self.smtp:
            count = 1
        self.conversations = [first, *(Conversation() for _ in range(count - 1))]
        self._envelope: tuple[str, str] | None = None  # the envelope sender, encoded once

    def prepare(self, message: Message) -> Prepared:
        """The email of `message`, or the outcome that stops it before any conversation (it
        does not render, its address is not one). No query, no network."""
        try:
            rendered = render(message)
        except Exception as exc:  # a template error must not stop the other messages
            logger.exception("message %s could not be rendered", message.pk)
            return Outcome(
                message, AttemptResult.TRANSIENT, None, f"not rendered: {exc}", "retrying"
            )
        message.subject, message.to_address = rendered.subject[:300], rendered.to[:254]
        try:
            validate_email(rendered.to)
        except ValidationError:
            return Outcome(
                message,
                AttemptResult.PERMANENT,
                None,
                f"malformed address: {rendered.to!r}",
                "bad_address",
            )
        mail = email_of(rendered)
        if not self.smtp:
            return mail
        try:
            encoding = mail.encoding or settings.DEFAULT_CHARSET
            # A random boundary of our own: the standard library would otherwise compile a
            # regular expression per email to find one absent from the text. 96 random bits,
            # short enough for its Content-Type to fit a line unfolded.
            boundary = f"=_{uuid.uuid4().hex[:24]}"
            # The outbox's usual email (text and HTML) written directly; any other shape (a
            # calendar invite, a line too long) through Django's message, the same bytes.
            data = fast_wire(mail, boundary)
            if data is None:
                mime = mail.message()
                mime.set_boundary(boundary)
                data = wire_bytes(mime)
            if self._envelope is None or self._envelope[0] != mail.from_email:
                self._envelope = (mail.from_email, sanitize_address(mail.from_email, encoding))
            return Wire(
                mail,
                self._envelope[1],
                [envelope_address(a, encoding) for a in mail.recipients()],
                data,
            )
        except Exception as exc:  # an address Django cannot encode
            return classify(message, exc)

    def send(self, message: Message) -> Outcome:
        prepared = self.prepare(message)
        if isinstance(prepared, Outcome):
            return prepared
        return self.conversations[0].deliver(message, prepared)

    def send_all(
        self, messages: list[Message], *, until: datetime, clock: Clock
    ) -> tuple[list[Outcome], list[Message]]:
        """Build and send `messages`; their outcomes, and those left untried because the clock
        passed `until` (the batch's lease is running out). Each is tried at most once."""
        if len(self.conversations) == 1:
            return self._send_here(messages, until=until, clock=clock)
        outcomes: list[Outcome] = []
        tried: set[int] = set()
        work: queue.SimpleQueue[tuple[Message, EmailMultiAlternatives | Wire] | None]
        work = queue.SimpleQueue()
        late = threading.Event()

        def talk(conversation: Conversation) -> None:
            while (item := work.get()) is not None:
                message, mail = item
                if late.is_set() or clock() > until:
                    late.set()
                    continue  # left untried, put back below
                tried.add(message.pk)
                outcomes.append(conversation.deliver(message, mail))  # list.append is atomic

        threads = [
            threading.Thread(target=talk, args=(c,), name=f"outbox-smtp-{i}", daemon=True)
            for i, c in enumerate(self.conversations)
        ]
        for thread in threads:
            thread.start()
        try:
            for message in messages:
                if late.is_set():
                    break
                prepared = self.prepare(message)
                if isinstance(prepared, Outcome):
                    tried.add(message.pk)
                    outcomes.append(prepared)
                else:
                    work.put((message, prepared))
        finally:
            for _ in threads:
                work.put(None)
            for thread in threads:
                thread.join()
        done = {o.message.pk for o in outcomes}
        return outcomes, [m for m in messages if m.pk not in done and m.pk not in tried]

    def _send_here(
        self, messages: list[Message], *, until: datetime, clock: Clock
    ) -> tuple[list[Outcome], list[Message]]:
        # Every email of the batch is built first, then the conversation only talks.
        prepared = [(message, self.prepare(message)) for message in messages]
        return self.talk(prepared, until=until, clock=clock)

    @property
    def pipelines(self) -> bool:
        """Whether batches can be pipelined: one SMTP conversation, of the worker's own."""
        return self.smtp and len(self.conversations) == 1

    def talk(
        self, prepared: list[tuple[Message, Prepared]], *, until: datetime, clock: Clock
    ) -> tuple[list[Outcome], list[Message]]:
        """Send emails built beforehand over the first conversation; their outcomes, and those
        left untried because the clock passed `until`. No query: it may run on a thread of its
        own (the pipeline, `deliver_due`)."""
        outcomes: list[Outcome] = []
        for i, (message, item) in enumerate(prepared):
            if clock() > until:
                return outcomes, [m for m, _ in prepared[i:]]
            if isinstance(item, Outcome):
                outcomes.append(item)
            else:
                outcomes.append(self.conversations[0].deliver(message, item))
        return outcomes, []

    def close(self) -> None:
        for conversation in self.conversations:
            conversation.close()


# 4. Record ------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: the retry time, doubled each time."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 24 * 3600))


@transaction.atomic
def record(outcomes: list[Outcome], *, token: str, worker_id: str, now: datetime) -> DeliveryReport:
    """Write a batch's outcomes, their attempts and the asks' moves: a few statements."""
    report = DeliveryReport()
    changed: list[Message] = []
    first_sent: list[int] = []
    notices: list[int] = []
    failures: list[Outcome] = []
    limit = settings.OUTBOX_MAX_ATTEMPTS
    for o in outcomes:
        m = o.message
        m.attempts += 1
        m.lease_until, m.claim = None, ""
        if o.result == AttemptResult.SENT:
            m.status, m.sent_at, m.reason_code, m.reason = S.SENT, now, "", ""
            report.sent += 1
            if m.kind == K.ASK and m.ask_id is not None:
                first_sent.append(m.ask_id)
            if m.notice_id is not None:
                notices.append(m.notice_id)
        elif o.result == AttemptResult.TRANSIENT and m.attempts < limit:
            m.status, m.due_at = S.QUEUED, now + backoff(m.attempts)
            m.reason_code = "retrying"
            next_at = f"{m.due_at:%Y-%m-%d %H:%M} UTC"
            m.reason = f"attempt {m.attempts} of {limit} failed ({o.error}); next at {next_at}"
            m.reason = m.reason[:500]
            report.retrying += 1
        else:
            gave_up = o.result == AttemptResult.TRANSIENT
            m.status = S.FAILED
            m.reason_code = "gave_up" if gave_up else o.reason_code
            label = Reason(m.reason_code).label
            tail = f" ({m.attempts} attempts)" if gave_up else ""
            m.reason = f"{label}{tail}: {o.error}"[:500]
            report.failed += 1
            failures.append(o)
        changed.append(m)
    _write_outcomes(changed, token, now)
    # As tuples, without a model instance each (advocacy.core.bulk): one statement a batch.
    insert_rows(
        MessageAttempt,
        ATTEMPT_COLUMNS,
        [
            (o.message.pk, now, worker_id, o.result, o.code, o.error[:ERROR_LENGTH])
            for o in outcomes
        ],
    )
    if first_sent:
        advance_asks(first_sent, AskStatus.SENT, actor=None, now=now, note="the email went out")
    if notices:
        mark_delivered(notices, now=now)
    _tell_owners(failures, now)
    return report


def _write_outcomes(changed: list[Message], token: str, now: datetime) -> None:
    """The rows' new states: the sent ones in one UPDATE per subject (a batch has one or a
    few), the rest (failures, rare) row by row in one statement. A sent row is written only if
    this batch still holds it (a lease that ran out and was claimed again is the other's)."""
    sent = [m for m in changed if m.status == S.SENT]
    by_subject: dict[str, list[int]] = defaultdict(list)
    for m in sent:
        by_subject[m.subject].append(m.pk)
    for subject, ids in by_subject.items():
        Message.objects.filter(pk__in=ids, claim=token).update(
            status=S.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            reason_code="",
            reason="",
            lease_until=None,
            claim="",
            subject=subject,
            # The address it went to: the test's, else the contact's as it was read.
            to_address=Coalesce(
                NullIf(F("to_email"), Value("")),
                Subquery(Contact.objects.filter(pk=OuterRef("contact_id")).values("email")[:1]),
            ),
        )
    others = [m for m in changed if m.status != S.SENT]
    if others:
        Message.objects.bulk_update(
            others,
            ["status", "attempts", "due_at", "reason_code", "reason", "lease_until", "claim",
             "subject", "to_address"],
        )  # fmt: skip


def _tell_owners(failures: list[Outcome], now: datetime) -> None:
    """Note each permanent failure on its ask's history, where its owner sees it."""
    events = [
        AskEvent(
            ask=o.message.ask,
            from_status=o.message.ask.status,
            to_status=o.message.ask.status,
            actor=None,
            note=f"{'in-product reminder' if o.message.channel == Channel.IN_APP else 'email'} "
            f"to {o.message.to_address or o.message.advocate.email} failed: "
            f"{o.message.reason}"[:300],
            at=now,
        )
        for o in failures
        if o.message.ask is not None and o.message.kind != K.TEST
    ]
    AskEvent.objects.bulk_create(events)


def _release(messages: list[Message]) -> int:
    """Put untried messages back, due at once (the batch ran short of its lease)."""
    return Message.objects.filter(pk__in=[m.pk for m in messages], status=S.SENDING).update(
        status=S.QUEUED, lease_until=None, claim=""
    )


def _release_claim(token: str) -> int:
    """Put a whole claimed batch back, due at once (it was never handed to the server)."""
    return Message.objects.filter(claim=token, status=S.SENDING).update(
        status=S.QUEUED, lease_until=None, claim=""
    )


# The whole pass -------------------------------------------------------------------------


def _lease_end(now: datetime) -> datetime:
    """When a batch claimed at `now` stops sending: before its lease runs out (a slow server),
    the rest put back untried."""
    margin = timedelta(seconds=min(60, settings.OUTBOX_LEASE_SECONDS / 4))
    return now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS) - margin


def _nudge(nudges: list[Message], clock: Clock) -> list[Outcome]:
    """Hand the in-product reminders to the product (its feed, its receiver)."""
    outcomes: list[Outcome] = []
    for m in nudges:
        sent = product.deliver(m, at=clock())
        outcomes.append(Outcome(m, sent.result, sent.code, sent.error, sent.reason_code))
    return outcomes


def _close_batch(
    outcomes: list[Outcome],
    untried: list[Message],
    report: DeliveryReport,
    *,
    token: str,
    worker_id: str,
    clock: Clock,
) -> DeliveryReport:
    if untried:
        report.released += _release(untried)
    if outcomes:
        report.add(record(outcomes, token=token, worker_id=worker_id, now=clock()))
    report.batches += 1
    return report


def deliver_batch(
    token: str, *, now: datetime, clock: Clock, worker_id: str, courier: Courier
) -> DeliveryReport:
    report = check(token, now)
    loaded = _load(token)
    # In-product reminders go to the product (its feed, its receiver), the rest by email.
    nudges = [m for m in loaded if m.channel == Channel.IN_APP]
    product.publish(nudges, now)
    messages = [m for m in loaded if m.channel != Channel.IN_APP]
    outcomes = _nudge(nudges, clock)
    sent_out, untried = courier.send_all(messages, until=_lease_end(now), clock=clock)
    outcomes.extend(sent_out)
    return _close_batch(outcomes, untried, report, token=token, worker_id=worker_id, clock=clock)


Talked = tuple[list[Outcome], list[Message]]  # outcomes, and the messages left untried


@dataclass
class Staged:
    """A batch claimed, checked, loaded and built, waiting for the conversation."""

    token: str
    now: datetime
    report: DeliveryReport
    nudges: list[Message]
    prepared: list[tuple[Message, Prepared]]


def _stage(token: str, *, now: datetime, courier: Courier) -> Staged:
    report = check(token, now)
    loaded = _load(token)
    nudges = [m for m in loaded if m.channel == Channel.IN_APP]
    prepared = [(m, courier.prepare(m)) for m in loaded if m.channel != Channel.IN_APP]
    return Staged(token, now, report, nudges, prepared)


class Pipeline:
    """Batches one behind the other: while the conversation sends batch N on a thread of its
    own (waiting on the socket, the interpreter free), this thread claims, checks, loads and
    builds batch N+1. Batch N+1 goes to the server only once batch N is recorded, so at most
    one batch is ever accepted by the server and not yet recorded: the duplicate window stays
    one batch (docs/operations.md, "The outbox"). The sending thread touches no database."""

    def __init__(self, courier: Courier, *, worker_id: str, clock: Clock) -> None:
        self.courier, self.worker_id, self.clock = courier, worker_id, clock
        self._sender: ThreadPoolExecutor | None = None  # started with the first batch
        self._in_flight: tuple[Staged, list[Outcome], Future[Talked]] | None = None

    def send(self, staged: Staged) -> DeliveryReport:
        """Record the batch in flight, if any (what came of it), then hand `staged` to the
        conversation: its in-product reminders first, here, then its emails on the thread."""
        report = self.settle()
        product.publish(staged.nudges, staged.now)
        nudged = _nudge(staged.nudges, self.clock)
        if self._sender is None:
            self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-smtp")
        future = self._sender.submit(
            self.courier.talk, staged.prepared, until=_lease_end(staged.now), clock=self.clock
        )
        self._in_flight = (staged, nudged, future)
        return report

    def settle(self) -> DeliveryReport:
        """Wait for the batch in flight and record it (nothing in flight: nothing)."""
        if self._in_flight is None:
            return DeliveryReport()
        staged, nudged, future = self._in_flight
        sent_out, untried = future.result()
        self._in_flight = None
        return _close_batch(
            [*nudged, *sent_out],
            untried,
            staged.report,
            token=staged.token,
            worker_id=self.worker_id,
            clock=self.clock,
        )

    def close(self) -> None:
        if self._sender is not None:
            self._sender.shutdown(wait=True)


def deliver_due(
    *,
    now: datetime | None = None,
    worker_id: str = "",
    batch_size: int | None = None,
    connection: Any = None,
    reminders: bool = True,
    max_batches: int | None = None,
) -> DeliveryReport:
    """Deliver every message due now, batch after batch, then return what happened.

    `now`: the moment to deliver as of (tests, `--as-of`); by default the clock, read anew for
    each batch. `connection`: a mail backend instance (default: the configured one). With one
    SMTP conversation (the default) the batches are pipelined (`Pipeline`).
    """
    clock: Clock = (lambda: now) if now is not None else timezone.now
    worker_id = worker_id or default_worker_id()
    size = batch_size or settings.OUTBOX_BATCH
    report = DeliveryReport()
    start = clock()
    release_resumed(start)
    if reminders:
        report.reminders_queued = queue_reminders(start)
        report.steps_queued = queue_steps(start)
    report.notices_queued = queue_notices(start)
    courier = Courier(connection)
    try:
        if courier.pipelines:
            _pipelined(report, courier, clock=clock, worker_id=worker_id, size=size,
                       max_batches=max_batches)  # fmt: skip
        else:
            while max_batches is None or report.batches < max_batches:
                at = clock()
                token = claim(at, worker_id=worker_id, size=size)
                if token is None:
                    break
                report.add(
                    deliver_batch(token, now=at, clock=clock, worker_id=worker_id, courier=courier)
                )
    finally:
        courier.close()
    if reminders:
        # Recorded after the batches: on the owners' queues at once, emailed at the next pass.
        report.follow_ups_noted = note_follow_ups(clock())
    report.posted = sum(notice_channels.deliver(clock(), worker_id).values())
    return report


def _pipelined(
    report: DeliveryReport,
    courier: Courier,
    *,
    clock: Clock,
    worker_id: str,
    size: int,
    max_batches: int | None,
) -> None:
    pipeline = Pipeline(courier, worker_id=worker_id, clock=clock)
    token: str | None = None  # the batch claimed and not yet handed to the conversation
    staged: Staged | None = None
    claimed = 0
    try:
        while True:
            token, staged = None, None
            if max_batches is None or claimed < max_batches:
                at = clock()
                token = claim(at, worker_id=worker_id, size=size)
                if token is not None:
                    claimed += 1
                    staged = _stage(token, now=at, courier=courier)
            if staged is None:
                report.add(pipeline.settle())
                return
            report.add(pipeline.send(staged))
            token = None
    except BaseException:
        # Whatever stopped this thread, the batch the server has taken is recorded if the
        # database lets us; a batch claimed and not sent goes back to the queue at once.
        try:
            report.add(pipeline.settle())
            if token is not None:
                _release_claim(token)
        except Exception:
            logger.exception("could not record the outbox's last batch; its lease will tell")
        raise
    finally:
        pipeline.close()


def deliver_one(message: Message, *, now: datetime, worker_id: str = "") -> Message:
    """Deliver one message now if it is due (a test sent from the UI): claimed like any other
    (by id), so a worker never sends it too."""
    worker_id = worker_id or default_worker_id()
    with transaction.atomic():
        token = uuid.uuid4().hex
        claimed = (
            Message.objects.filter(pk=message.pk)
            .due(now)
            .update(
                status=S.SENDING,
                claim=token,
                claimed_by=worker_id,
                lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            )
        )
    if claimed:
        courier = Courier()
        try:
            deliver_batch(token, now=now, clock=lambda: now, worker_id=worker_id, courier=courier)
        finally:
            courier.close()
    message.refresh_from_db()
    return message


def status_counts(messages: QuerySet[Message] | None = None) -> dict[str, int]:
    """How many messages are in each status: the outbox page's tally, one query."""
    rows = (messages if messages is not None else Message.objects.all()).order_by()
    return dict(rows.values("status").annotate(n=Count("pk")).values_list("status", "n"))
