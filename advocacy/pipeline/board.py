"""The pipeline board's filters, its columns, and the views a user saves of it.

One filter set (`AskFilter`) narrows asks the same way on the board, in `advocacy asks list` and
in `GET /api/asks`: by owner, owner role, play, ask type, due date and pause. A saved view is a
filter set stored under a name for one user (`SavedView`, unique per user and name), picked
again from the board, the CLI or the API.

The board shows a column per open state and the asks closed in the last 30 days. Its counts are
one GROUP BY over the filtered asks; each column reads only the page of cards it shows, most
urgent first, so a board of thousands of asks renders a few dozen cards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count, F, Q, QuerySet

from advocacy.pipeline.models import OPEN_ORDER, OPEN_STATUSES, Ask, AskStatus, AskType

# Due-date buckets of open asks: past due, due in the next 7 days, due later (or no date).
DUE_CHOICES: tuple[tuple[str, str], ...] = (
    ("overdue", "Overdue"),
    ("week", "Due this week"),
    ("later", "Due later"),
)
WEEK = timedelta(days=7)
MANUAL = "-"  # the play filter's value for asks opened by hand
YES_NO = ("yes", "no")
RECENT_DAYS = 30
CLOSED_KEY = "closed"
COLUMN_KEYS: tuple[str, ...] = (*OPEN_ORDER, CLOSED_KEY)
CARDS_PER_PAGE = 50
VIEW_NAME_MAX = 60


AsksT = TypeVar("AsksT", bound=QuerySet[Ask])


class FilterError(ValueError):
    """A filter value that cannot be applied; the message names the field and what it expects."""

    def __init__(self, message: str) -> None:
        self.field = message.split(":", 1)[0] if ":" in message.split(" ", 1)[0] else ""
        super().__init__(message)


@dataclass(frozen=True)
class AskFilter:
    """What a board, a list or a saved view narrows asks to; empty fields narrow nothing.

    `owner` is a username and `mine` the acting user; `play` is a play's slug or "-" for manual
    asks; `due` is one of `DUE_CHOICES` and keeps open asks only; `paused` is "yes" or "no".
    """

    owner: str = ""
    role: str = ""
    play: str = ""
    ask_type: str = ""
    due: str = ""
    paused: str = ""
    mine: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AskFilter:
        """Read a filter set from a form, a query string or a saved view; FilterError if bad."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FilterError(f"unknown filter {unknown[0]!r}; known: {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        for name in known - {"mine"}:
            value = data.get(name) or ""
            if not isinstance(value, str):
                raise FilterError(f"{name}: expected text, not {value!r}")
            values[name] = value.strip()
        mine = data.get("mine", False)
        if isinstance(mine, str):
            mine = mine.lower() in ("1", "true", "on", "yes")
        if not isinstance(mine, bool):
            raise FilterError(f"mine: expected true or false, not {mine!r}")
        found = cls(**values, mine=mine)
        found.check()
        return found

    def check(self) -> None:
        """Refuse values that can match nothing because they are not values at all."""
        dues = [key for key, _ in DUE_CHOICES]
        if self.due and self.due not in dues:
            raise FilterError(f"due: expected {', '.join(dues)}, not {self.due!r}")
        if self.paused and self.paused not in YES_NO:
            raise FilterError(f"paused: expected yes or no, not {self.paused!r}")
        if self.owner and not get_user_model().objects.filter(username=self.owner).exists():
            raise FilterError(f"owner: no user named {self.owner!r}")
        if self.ask_type and not AskType.objects.filter(code=self.ask_type).exists():
            codes = ", ".join(AskType.objects.values_list("code", flat=True))
            raise FilterError(f"ask_type: no ask type {self.ask_type!r}; known: {codes}")

    def as_data(self) -> dict[str, Any]:
        """The fields that narrow something, as a saved view stores them."""
        return {k: v for k, v in asdict(self).items() if v}

    def apply(self, asks: AsksT, *, user: Any, now: datetime) -> AsksT:
        """Narrow `asks` to this filter set, as of `now`, for the acting `user`."""
        if self.owner:
            asks = asks.filter(owner__username=self.owner)
        if self.mine:
            asks = asks.filter(owner=user) if getattr(user, "pk", None) else asks.none()
        if self.role:
            asks = asks.filter(owner_role=self.role)
        if self.play == MANUAL:
            asks = asks.filter(play="")
        elif self.play:
            asks = asks.filter(play=self.play)
        if self.ask_type:
            asks = asks.filter(ask_type__code=self.ask_type)
        if self.paused:
            asks = asks.filter(paused_at__isnull=self.paused == "no")
        if self.due:
            asks = asks.filter(due_bucket(self.due, now))
        return asks


def due_bucket(due: str, now: datetime) -> Q:
    """The open asks of a due-date bucket; overdue is the rule of `AskQuerySet.overdue`."""
    open_ = Q(status__in=OPEN_STATUSES)
    if due == "overdue":
        return open_ & Q(due_at__lt=now)
    if due == "week":
        return open_ & Q(due_at__gte=now, due_at__lt=now + WEEK)
    return open_ & (Q(due_at__gte=now + WEEK) | Q(due_at__isnull=True))


def _recent(now: datetime) -> Q:
    return Q(updated_at__gte=now - timedelta(days=RECENT_DAYS))


def column_counts(asks: QuerySet[Ask], *, now: datetime) -> dict[str, int]:
    """How many asks each column holds, in one GROUP BY; closed states are summed."""
    rows = (
        asks.filter(Q(status__in=OPEN_STATUSES) | _recent(now))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts = dict.fromkeys(COLUMN_KEYS, 0)
    for status, n in rows:
        counts[status if status in OPEN_STATUSES else CLOSED_KEY] += n
    return counts


def column_asks(asks: QuerySet[Ask], key: str, *, now: datetime) -> QuerySet[Ask]:
    """The asks of one column in the order it shows them: most urgent first, or newest closed."""
    if key == CLOSED_KEY:
        closed = asks.exclude(status__in=OPEN_STATUSES).filter(_recent(now))
        return closed.order_by("-updated_at", "-id")
    if key not in OPEN_STATUSES:
        raise FilterError(f"column: expected {', '.join(COLUMN_KEYS)}, not {key!r}")
    return asks.filter(status=key).order_by(F("due_at").asc(nulls_last=True), "opened_at", "id")


def column_label(key: str) -> str:
    return f"Closed, last {RECENT_DAYS} days" if key == CLOSED_KEY else AskStatus(key).label


class SavedView(models.Model):
    """A filter set of the pipeline board that one user saved under a name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=VIEW_NAME_MAX)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedview_unique_user_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def filter(self) -> AskFilter:
        return AskFilter.from_data(self.filters)


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise FilterError("name: give the view a name")
    if len(cleaned) > VIEW_NAME_MAX:
        raise FilterError(f"name: at most {VIEW_NAME_MAX} characters")
    return cleaned


def views_of(user: Any) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user)


def save_view(user: Any, name: str, found: AskFilter, *, now: datetime) -> SavedView:
    """Save `found` under `name` for `user`; a view of the same name is replaced."""
    found.check()
    with transaction.atomic():
        view, _ = SavedView.objects.update_or_create(
            user=user,
            name=_name(name),
            defaults={"filters": found.as_data(), "updated_at": now},
            create_defaults={"filters": found.as_data(), "updated_at": now, "created_at": now},
        )
    return view


def remove_view(user: Any, name: str) -> None:
    """Remove the user's view `name`; FilterError naming the views they have if there is none."""
    deleted, _ = views_of(user).filter(name=_name(name)).delete()
    if not deleted:
        have = ", ".join(views_of(user).values_list("name", flat=True)) or "none"
        raise FilterError(f"no saved view named {name!r}; saved views: {have}")


def view_named(user: Any, name: str) -> SavedView:
    view = views_of(user).filter(name=_name(name)).first()
    if view is None:
        have = ", ".join(views_of(user).values_list("name", flat=True)) or "none"
        raise FilterError(f"no saved view named {name!r}; saved views: {have}")
    return view
