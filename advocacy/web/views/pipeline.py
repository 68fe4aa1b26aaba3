"""The pipeline board, an ask's page with its timeline, and moving an ask.

Every move is a real POST form (the moves its state allows, in a menu on each card), validated
on the server by the same service the CLI and API use (`advocacy.engine.pipeline_flow.move_ask`).
With htmx the board partial comes back in place; without JavaScript the move redirects. The
filters, the columns and saved views are `advocacy.pipeline.board`'s, shared with the CLI and API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from advocacy.engine.models import Play
from advocacy.engine.pipeline_flow import move_ask
from advocacy.messaging.services import messages_of, steps_of
from advocacy.people.models import Role
from advocacy.pipeline.board import (
    CARDS_PER_PAGE,
    COLUMN_KEYS,
    DUE_CHOICES,
    MANUAL,
    AskFilter,
    FilterError,
    SavedView,
    column_asks,
    column_counts,
    column_label,
    remove_view,
    save_view,
    views_of,
)
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.services import InvalidTransition, allowed_moves
from advocacy.web.forms import ANY
from advocacy.web.htmx import render_page, wants_partial
from advocacy.web.views.engine import actor, policy_or_message
from advocacy.web.views.guards import guard_context
from advocacy.web.views.process import ask_steps

FILTER_FIELDS = ("owner", "mine", "role", "play", "ask_type", "due", "paused")


class BoardFilterForm(forms.Form):
    owner = forms.ChoiceField(label="Owner", required=False)
    role = forms.ChoiceField(label="Owner role", required=False)
    play = forms.ChoiceField(label="Play", required=False)
    ask_type = forms.ChoiceField(label="Type", required=False)
    due = forms.ChoiceField(label="Due", required=False, choices=[*ANY, *DUE_CHOICES])
    paused = forms.ChoiceField(
        label="Paused",
        required=False,
        choices=[*ANY, ("yes", "Only paused"), ("no", "Not paused")],
    )
    mine = forms.BooleanField(label="Only mine", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asks = Ask.objects.order_by()
        roles = asks.exclude(owner_role="").values_list("owner_role", flat=True).distinct()
        plays = asks.exclude(play="").values_list("play", flat=True).distinct()
        owners = get_user_model().objects.filter(
            pk__in=asks.filter(owner__isnull=False).values("owner")
        )
        labels = dict(Role.choices)
        self.fields["owner"].choices = ANY + [  # type: ignore[attr-defined]
            (u.get_username(), u.get_full_name() or u.get_username())
            for u in owners.order_by("username")
        ]
        self.fields["role"].choices = ANY + [  # type: ignore[attr-defined]
            (r, labels.get(r, r)) for r in sorted(roles)
        ]
        self.fields["play"].choices = (  # type: ignore[attr-defined]
            ANY + [(p, p) for p in sorted(plays)] + [(MANUAL, "(manual asks)")]
        )
        self.fields["ask_type"].choices = ANY + list(  # type: ignore[attr-defined]
            AskType.objects.order_by("name").values_list("code", "name")
        )

    def found(self) -> AskFilter:
        """The filter set of the valid fields; an invalid one is reported and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AskFilter(**{name: data[name] for name in FILTER_FIELDS if data.get(name)})


@dataclass
class Column:
    key: str
    label: str
    count: int
    cards: list[Ask]
    more_url: str  # the next page of cards, empty when every card is shown


def play_titles() -> dict[str, str]:
    """The plays' titles by name, in one query, for the cards to name their play in words."""
    return dict(Play.objects.values_list("name", "title"))


def _cards(asks: QuerySet[Ask], now: datetime) -> list[Ask]:
    cards = list(asks)
    for ask in cards:
        ask.moves = allowed_moves(ask.status)  # type: ignore[attr-defined]
        ask.overdue = ask.is_overdue(now)  # type: ignore[attr-defined]
        ask.missed_window = ask.missed_send_window(now)  # type: ignore[attr-defined]
    return cards


def _filter_query(found: AskFilter) -> str:
    data = found.as_data()
    return urlencode({k: ("on" if v is True else v) for k, v in data.items()})


def _more_url(key: str, shown: int, count: int, query: str) -> str:
    if shown >= count:
        return ""
    page = shown // CARDS_PER_PAGE + 1
    params = f"{query}&page={page}" if query else f"page={page}"
    return reverse("web:pipeline_column", args=[key]) + f"?{params}"


def _asks(request: HttpRequest, found: AskFilter, now: datetime) -> QuerySet[Ask]:
    return found.apply(
        Ask.objects.select_related(
            "contact", "contact__account", "ask_type", "owner", "escalated_to"
        ),
        user=request.user,
        now=now,
    )


def board_columns(asks: QuerySet[Ask], now: datetime, query: str = "") -> list[Column]:
    """A column per open state, then the asks closed in the last 30 days; a page of each."""
    counts = column_counts(asks, now=now)
    columns = []
    for key in COLUMN_KEYS:
        cards = _cards(column_asks(asks, key, now=now)[:CARDS_PER_PAGE], now)
        more = _more_url(key, len(cards), counts[key], query)
        columns.append(Column(key, column_label(key), counts[key], cards, more))
    return columns


def _board_context(request: HttpRequest, query: QueryDict) -> dict[str, Any]:
    now = timezone.now()
    form = BoardFilterForm(query)
    found = form.found()
    filter_query = _filter_query(found)
    saved = list(views_of(request.user))
    for view in saved:
        view.url = reverse("web:pipeline") + (  # type: ignore[attr-defined]
            f"?{_filter_query(AskFilter(**view.filters))}" if view.filters else ""
        )
        view.current = view.filters == found.as_data()  # type: ignore[attr-defined]
    return {
        "section": "pipeline",
        "form": form,
        "filters": found.as_data(),
        "filtered": bool(found.as_data()),
        "columns": board_columns(_asks(request, found, now), now, filter_query),
        "now": now,
        "board_url": reverse("web:pipeline") + (f"?{filter_query}" if filter_query else ""),
        "cards_per_column": CARDS_PER_PAGE,
        "saved_views": saved,
        "play_titles": play_titles(),
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    return render_page(request, "web/pipeline/board.html", context, partial="board")


@login_required
def board_column(request: HttpRequest, key: str) -> HttpResponse:
    """One page of a column's cards: appended in place by htmx, a page of its own without it."""
    if key not in COLUMN_KEYS:
        raise Http404("no such column")
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    now = timezone.now()
    found = BoardFilterForm(request.GET).found()
    filter_query = _filter_query(found)
    asks = _asks(request, found, now)
    count = column_counts(asks, now=now)[key]
    start = (page - 1) * CARDS_PER_PAGE
    cards = _cards(column_asks(asks, key, now=now)[start : start + CARDS_PER_PAGE], now)
    board_url = reverse("web:pipeline") + (f"?{filter_query}" if filter_query else "")
    context = {
        "section": "pipeline",
        "column": Column(
            key,
            column_label(key),
            count,
            cards,
            _more_url(key, start + len(cards), count, filter_query),
        ),
        "first": start + 1,
        "last": start + len(cards),
        "board_url": board_url,
        "now": now,
        "play_titles": play_titles(),
    }
    return render_page(request, "web/pipeline/column.html", context, partial="cards")


@login_required
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the posted filter set under the posted name, for the user who posts it."""
    found = BoardFilterForm(request.POST).found()
    try:
        view: SavedView = save_view(
            request.user, request.POST.get("name", ""), found, now=timezone.now()
        )
    except FilterError as exc:
        messages.error(request, f"Not saved: {exc}.")
    else:
        messages.success(request, f"Saved the view \u201c{view.name}\u201d.")
    query = _filter_query(found)
    return redirect(reverse("web:pipeline") + (f"?{query}" if query else ""))


@login_required
@require_POST
def view_remove(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    try:
        remove_view(request.user, name)
    except FilterError as exc:
        messages.error(request, f"Not removed: {exc}.")
    else:
        messages.success(request, f"Removed the view \u201c{' '.join(name.split())}\u201d.")
    return redirect(_safe_next(request))


@login_required
def ask_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ask = get_object_or_404(
        Ask.objects.select_related(
            "contact", "contact__account", "ask_type", "owner", "escalated_to"
        ),
        pk=pk,
    )
    ask.moves = allowed_moves(ask.status)  # type: ignore[attr-defined]
    now = timezone.now()
    context = {
        "section": "pipeline",
        "ask": ask,
        "events": list(ask.events.select_related("actor")),
        "steps": ask_steps(ask.pk),
        "emails": list(messages_of(ask)),
        "sequence": steps_of(ask, now=now) if ask.sequence else [],
        "overdue": ask.is_overdue(now),
        "missed_window": ask.missed_send_window(now),
        "next_url": request.get_full_path(),
        **guard_context(ask, policy_or_message(request)),
    }
    return render_page(request, "web/asks/detail.html", context)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("web:pipeline")


@login_required
@require_POST
def ask_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one ask to the posted state `to`; refused moves leave it as it was and say why."""
    ask = get_object_or_404(Ask, pk=pk)
    target = _safe_next(request)
    to = request.POST.get("to", "")
    note = request.POST.get("note", "")[:2000]
    notice, ok = "", False
    policy = policy_or_message(request)
    seen = request.POST.get("from", "")  # the state a dragged card showed
    if policy is not None and seen and seen != ask.status:
        notice = f"Not moved: {InvalidTransition(ask.pk, ask.status, to, seen=seen)}."
    elif policy is not None:
        try:
            result = move_ask(
                ask, to, actor=actor(request), now=timezone.now(), policy=policy, note=note
            )
        except InvalidTransition as exc:
            notice = f"Not moved: {exc}."
        else:
            ok = True
            notice = f"Ask {ask.pk} moved to {AskStatus(to).label.lower()}."
            if to == AskStatus.DECLINED:
                notice += f" {result.detail[:1].upper()}{result.detail[1:]}."
    if wants_partial(request) and urlsplit(target).path == reverse("web:pipeline"):
        context = _board_context(request, QueryDict(urlsplit(target).query))
        context.update(notice=notice, notice_ok=ok)
        return render_page(request, "web/pipeline/board.html", context, partial="board")
    if notice:
        (messages.success if ok else messages.error)(request, notice)
    return redirect(target)
