"""Outgoing webhooks (docs/webhooks.md): the endpoints and the form to add one (its secret
shown once), an endpoint's delivery log, one delivery with its attempts, and Redeliver, which
asks to confirm first."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.integrations.webhooks.events import TYPES
from advocacy.integrations.webhooks.models import DeliveryStatus
from advocacy.integrations.webhooks.services import (
    WebhookError,
    add_endpoint,
    deliveries,
    find_endpoint,
    get_delivery,
    list_endpoints,
    redeliver,
    remove_endpoint,
)
from advocacy.web.htmx import render_page

SECTION = "webhooks"


class EndpointForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the team calls it: 'CRM'.")
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where the events are POSTed: https (http only to this machine).",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(t, f"{t}: {d}") for t, d in TYPES.items()],
        initial=list(TYPES),
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(max_length=300, required=False)


def webhooks(request: HttpRequest) -> HttpResponse:
    """Every endpoint and the form to add one (POST here); the secret is shown once."""
    form = EndpointForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, secret = add_endpoint(
                data["name"],
                data["url"],
                data["events"],
                description=data["description"],
                actor=request.user,
                now=timezone.now(),
            )
        except WebhookError as exc:
            form.add_error(None, str(exc))
        else:
            form = EndpointForm()
    context = {
        "section": SECTION,
        "endpoints": [v.as_dict() for v in list_endpoints()],
        "form": form,
        "secret": secret,
    }
    status = 422 if request.method == "POST" and secret is None else 200
    return render_page(request, "web/webhooks/list.html", context, status=status)


@require_POST
def webhook_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        endpoint = find_endpoint(pk)
        changed = remove_endpoint(pk, actor=request.user, now=timezone.now())
    except WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{endpoint.name} removed: nothing more is sent to it; its log is kept."
            if changed
            else "Already removed.",
        )
    return redirect("web:webhooks")


def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    """The delivery log, newest first, by endpoint and status."""
    endpoint = request.GET.get("endpoint", "")
    status = request.GET.get("status", "")
    try:
        rows = deliveries(
            endpoint=int(endpoint) if endpoint.isdigit() else None,
            status=status or None,
            limit=200,
        )
    except WebhookError as exc:
        messages.error(request, str(exc))
        rows = []
    context = {
        "section": SECTION,
        "rows": rows,
        "endpoints": [v.as_dict() for v in list_endpoints(include_removed=True)],
        "statuses": DeliveryStatus.choices,
        "chosen": {"endpoint": endpoint, "status": status},
    }
    return render_page(request, "web/webhooks/deliveries.html", context, partial="rows")


def webhook_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found, log = get_delivery(pk)
    except WebhookError as exc:
        from django.http import Http404

        raise Http404(str(exc)) from None
    context = {"section": SECTION, "delivery": found, "log": log}
    return render_page(request, "web/webhooks/delivery.html", context)


@require_http_methods(["GET", "POST"])
def webhook_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what would be sent again, and a button to confirm; POST: queue it again."""
    try:
        found, _ = get_delivery(pk)
    except WebhookError as exc:
        from django.http import Http404

        raise Http404(str(exc)) from None
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = {"section": SECTION, "delivery": found}
        return render_page(request, "web/webhooks/confirm_redeliver.html", context)
    outcome = redeliver([pk], actor=request.user, now=timezone.now())
    if outcome.queued:
        messages.success(
            request, f"Delivery {pk} queued again: the worker sends it at its next pass."
        )
    else:
        messages.error(request, f"Not redelivered: {outcome.refused[pk]}.")
    return redirect("web:webhook_delivery", pk=pk)
