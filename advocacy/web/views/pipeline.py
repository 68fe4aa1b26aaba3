"""The pipeline board, an ask's page with its timeline, and moving an ask.

Every move is a real POST form (one button per state the transition table allows), validated
on the server by the same service the CLI and API use (`advocacy.engine.pipeline_flow.move_ask`).
With htmx the board partial comes back in place; without JavaScript the move redirects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from advocacy.engine.pipeline_flow import move_ask
from advocacy.messaging.services import messages_of, steps_of
from advocacy.pipeline.models import OPEN_ORDER, OPEN_STATUSES, Ask, AskStatus
from advocacy.pipeline.services import InvalidTransition, allowed_moves
from advocacy.web.forms import ANY
from advocacy.web.htmx import render_page, wants_partial
from advocacy.web.views.engine import actor, policy_or_message
from advocacy.web.views.guards import guard_context
from advocacy.web.views.process import ask_steps

CARDS_PER_COLUMN = 50
RECENT_DAYS = 30
CLOSED_KEY = "closed"


class BoardFilterForm(forms.Form):
    role = forms.ChoiceField(label="Owner role", required=False)
    play = forms.ChoiceField(label="Play", required=False)
    mine = forms.BooleanField(label="Only mine", required=False)
    paused = forms.ChoiceField(
        label="Paused",
        required=False,
        choices=[*ANY, ("yes", "Only paused"), ("no", "Not paused")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asks = Ask.objects.order_by()
        roles = asks.exclude(owner_role="").values_list("owner_role", flat=True).distinct()
        plays = asks.exclude(play="").values_list("play", flat=True).distinct()
        self.fields["role"].choices = ANY + [(r, r) for r in sorted(roles)]  # type: ignore[attr-defined]
        self.fields["play"].choices = (  # type: ignore[attr-defined]
            ANY + [(p, p) for p in sorted(plays)] + [("-", "(manual asks)")]
        )

    def filter(self, asks: QuerySet[Ask], user: Any) -> QuerySet[Ask]:
        """Narrow `asks` to what the form asks for; invalid values are left out."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("role"):
            asks = asks.filter(owner_role=data["role"])
        if data.get("play") == "-":
            asks = asks.filter(play="")
        elif data.get("play"):
            asks = asks.filter(play=data["play"])
        if data.get("mine"):
            asks = asks.filter(owner=user)
        if data.get("paused"):
            asks = asks.filter(paused_at__isnull=data["paused"] == "no")
        return asks


@dataclass
class Column:
    key: str
    label: str
    count: int
    cards: list[Ask]


def _cards(asks: QuerySet[Ask], now: datetime) -> list[Ask]:
    cards = list(asks[:CARDS_PER_COLUMN])
    for ask in cards:
        ask.moves = allowed_moves(ask.status)  # type: ignore[attr-defined]
        ask.overdue = ask.is_overdue(now)  # type: ignore[attr-defined]
        ask.missed_window = ask.missed_send_window(now)  # type: ignore[attr-defined]
    return cards


def board_columns(asks: QuerySet[Ask], now: datetime) -> list[Column]:
    """A column per open state, then the asks closed (or completed) in the last 30 days."""
    recent = Q(updated_at__gte=now - timedelta(days=RECENT_DAYS))
    counts = dict(
        asks.filter(Q(status__in=OPEN_STATUSES) | recent)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    urgent = (F("due_at").asc(nulls_last=True), "opened_at", "id")
    columns = [
        Column(
            s,
            AskStatus(s).label,
            counts.get(s, 0),
            _cards(asks.filter(status=s).order_by(*urgent), now),
        )
        for s in OPEN_ORDER
    ]
    closed = asks.exclude(status__in=OPEN_STATUSES).filter(recent).order_by("-updated_at", "-id")
    closed_count = sum(n for s, n in counts.items() if s not in OPEN_STATUSES)
    columns.append(
        Column(CLOSED_KEY, f"Closed, last {RECENT_DAYS} days", closed_count, _cards(closed, now))
    )
    return columns


def _board_context(request: HttpRequest, query: QueryDict) -> dict[str, Any]:
    now = timezone.now()
    form = BoardFilterForm(query)
    asks = form.filter(
        Ask.objects.select_related(
            "contact", "contact__account", "ask_type", "owner", "escalated_to"
        ),
        request.user,
    )
    query_string = query.urlencode()
    return {
        "section": "pipeline",
        "form": form,
        "columns": board_columns(asks, now),
        "now": now,
        "board_url": reverse("web:pipeline") + (f"?{query_string}" if query_string else ""),
        "cards_per_column": CARDS_PER_COLUMN,
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    return render_page(request, "web/pipeline/board.html", context, partial="board")


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
    if policy is not None:
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
