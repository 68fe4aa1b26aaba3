"""Connections: inbound webhooks from survey tools and CRMs (docs/connectors.md).

The list and the form to add one (its url shown once, its secret never), a CRM connection's
"Sync now" and its last sync (state, counts, cursors), the inbox with each
request's status and error and a replay button, one request as received, and the log of the
requests refused for their signature.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.integrations.connectors import registry
from advocacy.integrations.connectors.crm import CrmError
from advocacy.integrations.connectors.jobs import start_sync
from advocacy.integrations.connectors.models import InboxRequest, InboxStatus
from advocacy.integrations.connectors.services import (
    ConnectorError,
    add_connection,
    inbox,
    list_connections,
    parse_options,
    rejected,
    remove_connection,
    replay,
)
from advocacy.integrations.connectors.writeback import write_backs
from advocacy.web.htmx import render_page


class ConnectionForm(forms.Form):
    kind = forms.ChoiceField(label="Connector")
    name = forms.CharField(max_length=100, help_text="What the team calls it: 'NPS survey'.")
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The vendor's signing secret (a CRM's token or its credentials); stored "
        "encrypted, never shown again. AskNicely signs nothing: leave it empty.",
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One KEY=VALUE a line, e.g. nps_field=recommend; each connector's options "
        "are in its guide.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (c.kind, c.label) for c in sorted(registry.KINDS.values(), key=lambda c: c.label)
        ]


def connections(request: HttpRequest) -> HttpResponse:
    """Every connection and the form to add one (POST here); the url is shown once."""
    form = ConnectionForm(request.POST or None)
    url = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, url = add_connection(
                data["kind"],
                data["name"],
                secret=data["secret"],
                options=parse_options(data["options"].split()),
                actor=request.user,
                now=timezone.now(),
            )
        except ConnectorError as exc:
            form.add_error(None, str(exc))
        else:
            form = ConnectionForm()
            if getattr(registry.KINDS.get(data["kind"]), "crm", False):
                messages.success(
                    request, f"{data['name']} added: it is synced every 15 minutes, or now with "
                    "Sync now.",
                )  # fmt: skip
                return redirect("web:connections")
    views = list_connections()
    context = {
        "section": "connections",
        "connections": views,
        "synced": [v for v in views if v.syncs],
        "write_backs": list(write_backs(limit=20)) if any(v.syncs for v in views) else [],
        "form": form,
        "url": url,
    }
    status = 422 if request.method == "POST" and url is None else 200
    return render_page(request, "web/connections/list.html", context, status=status)


@require_POST
def connection_remove(request: HttpRequest, name: str) -> HttpResponse:
    try:
        changed = remove_connection(name, actor=request.user, now=timezone.now())
    except ConnectorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{name} removed: its url no longer answers." if changed else "Already removed.",
        )
    return redirect("web:connections")


@require_POST
def connection_sync(request: HttpRequest, name: str) -> HttpResponse:
    """Start a sync of a CRM connection (a job); the page shows its last run's state."""
    try:
        job = start_sync(name, actor=request.user, now=timezone.now())
    except CrmError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sync of {name} started (job {job.pk}).")
    return redirect("web:connections")


def connections_inbox(request: HttpRequest) -> HttpResponse:
    """The requests received (newest first, by connection and status) and those refused."""
    name = request.GET.get("connection", "") or None
    status = request.GET.get("status", "") or None
    try:
        rows = list(inbox(name=name, status=status, limit=200))
        refused = list(rejected(name=name, limit=50))
    except ConnectorError as exc:
        messages.error(request, str(exc))
        rows, refused = [], []
    context = {
        "section": "connections",
        "rows": rows,
        "refused": refused,
        "connections": list_connections(),
        "statuses": InboxStatus.choices,
        "chosen": {"connection": name or "", "status": status or ""},
    }
    return render_page(request, "web/connections/inbox.html", context, partial="rows")


def inbox_request(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(InboxRequest.objects.select_related("connection"), pk=pk)
    context = {"section": "connections", "row": row}
    return render_page(request, "web/connections/request.html", context)


@require_POST
def inbox_replay(request: HttpRequest) -> HttpResponse:
    """Map one request again (`id`), or every failed one of a connection (`connection`)."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    name = request.POST.get("connection", "") or None
    try:
        outcome = replay(
            now=timezone.now(),
            ids=ids or None,
            name=name,
            status=None if ids else InboxStatus.FAILED,
        )
    except ConnectorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{outcome.requests} request{'s' if outcome.requests != 1 else ''} mapped again: "
            f"{outcome.created} new signals, {outcome.revised} revised, {outcome.failed} failed.",
        )
    if len(ids) == 1:
        return redirect("web:inbox_request", pk=ids[0])
    return redirect("web:connections_inbox")
