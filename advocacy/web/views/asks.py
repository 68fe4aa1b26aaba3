"""The asks as a list: filters, sortable columns, paging, and Assign for the ticked ones.

The pipeline board shows the flow; this list is where a team works through many asks at once
(give the overdue ones to someone, see every ask of one type). A fixed number of queries per
page: the contact, the account, the type and the owner come through select_related; the order
is the database's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from advocacy.pipeline.models import Ask, AskQuerySet, AskStatus, AskType
from advocacy.pipeline.services import assign_asks
from advocacy.web.forms import ANY
from advocacy.web.htmx import render_page
from advocacy.web.sorting import Columns, nulls_last, sorting
from advocacy.web.views.customers import LIST_PAGE_SIZE, paginate
from advocacy.web.views.engine import actor
from advocacy.web.views.pipeline import play_titles

ASSIGN_MAX = 500
COLUMNS: Columns = {
    "opened": ["opened_at"],
    "due": [nulls_last("due_at")],
    "status": ["status"],
    "type": ["ask_type__name"],
    "contact": ["contact__last_name", "contact__first_name"],
}


def owner_choices() -> list[tuple[str, str]]:
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return [(str(u.pk), u.get_full_name() or u.get_username()) for u in users]


class AskListFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=ANY + AskStatus.choices)
    ask_type = forms.ChoiceField(label="Ask type", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)
    overdue = forms.BooleanField(label="Only overdue", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = AskType.objects.order_by("name").values_list("code", "name")
        self.fields["ask_type"].choices = ANY + list(types)  # type: ignore[attr-defined]
        self.fields["owner"].choices = (  # type: ignore[attr-defined]
            [*ANY, ("-", "Nobody"), *owner_choices()]
        )

    @property
    def active_count(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return sum(1 for value in data.values() if value)

    def filter(self, asks: AskQuerySet) -> AskQuerySet:
        """Narrow `asks` to what the form asks for; invalid values are left out."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            asks = asks.filter(status=data["status"])
        if data.get("ask_type"):
            asks = asks.filter(ask_type__code=data["ask_type"])
        if data.get("owner") == "-":
            asks = asks.filter(owner__isnull=True)
        elif data.get("owner"):
            asks = asks.filter(owner_id=int(data["owner"]))
        if data.get("overdue"):
            asks = asks.overdue(timezone.now())
        return asks


@login_required
def ask_list(request: HttpRequest) -> HttpResponse:
    form = AskListFilterForm(request.GET)
    order = sorting(request, COLUMNS, "-opened")
    asks = form.filter(
        Ask.objects.select_related("contact", "contact__account", "ask_type", "owner")
    )
    context = {
        "section": "pipeline",
        "form": form,
        "order": order,
        "page": paginate(request, order.apply(asks), LIST_PAGE_SIZE),
        "has_any": form.active_count > 0 or Ask.objects.exists(),
        "owners": owner_choices(),
        "now": timezone.now(),
        "play_titles": play_titles(),
    }
    return render_page(request, "web/asks/list.html", context, partial="results")


@login_required
@require_POST
def asks_assign(request: HttpRequest) -> HttpResponse:
    """Assign: give every ticked ask to the owner picked."""
    back = request.POST.get("back", "")
    if not (back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = reverse("web:asks")
    ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("ask") if v.isdigit()))
    owner_id = request.POST.get("owner", "")
    owner = (
        get_user_model().objects.filter(pk=int(owner_id), is_active=True).first()
        if owner_id.isdigit()
        else None
    )
    if not ids:
        messages.error(request, "Tick at least one ask to assign.")
    elif len(ids) > ASSIGN_MAX:
        messages.error(request, f"At most {ASSIGN_MAX} asks at once; {len(ids)} were ticked.")
    elif owner is None:
        messages.error(request, "Pick who the asks go to.")
    else:
        asks = list(Ask.objects.filter(pk__in=ids))
        assign_asks(asks, owner, actor=actor(request), now=timezone.now())
        who = owner.get_full_name() or owner.get_username()
        messages.success(request, f"{len(asks)} ask{'s' if len(asks) != 1 else ''} given to {who}.")
    return redirect(back)
