"""The outbox: every email to advocates with its state (queued, sent, failed, held and why),
one message with its attempts, "send again"; an ask's email previewed and sent as a test; the
mail folder, when emails are kept as files; and the public unsubscribe page every email links
to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.messaging import mailfolder
from advocacy.messaging.delivery import status_counts
from advocacy.messaging.models import Channel, Message, MessageStatus, ProductEvent
from advocacy.messaging.services import (
    MessagingError,
    attempts_of,
    listing,
    preview,
    send_again,
    send_test,
    with_related,
)
from advocacy.messaging.unsubscribe import BadToken, contact_of, is_test, unsubscribe
from advocacy.pipeline.models import Ask
from advocacy.web.csp import standalone_document
from advocacy.web.htmx import render_page
from advocacy.web.views.customers import paginate

PER_PAGE = 50


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    mine = request.GET.get("mine") == "1"
    channel = request.GET.get("channel", "")
    if channel not in Channel.values:
        channel = ""
    rows = listing(status=status, owner=request.user if mine else None, channel=channel)
    counts = status_counts(listing(owner=request.user) if mine else None)
    context = {
        "section": "outbox",
        "page": paginate(request, rows, PER_PAGE),
        "status": status,
        "mine": mine,
        "channel": channel,
        "channels": Channel.choices,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in MessageStatus.choices],
        "total": sum(counts.values()),
        "mail_folder": mailfolder.enabled(),
    }
    return render_page(request, "web/outbox/list.html", context, partial="messages")


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(with_related(Message.objects.all()), pk=pk)
    context = {
        "section": "outbox",
        "message": message,
        "attempts": attempts_of(message),
        "event": ProductEvent.objects.filter(message=message).first(),
        "folder_key": (
            mailfolder.key_of(message.message_id)
            if mailfolder.enabled() and message.status == MessageStatus.SENT
            else None
        ),
    }
    return render_page(request, "web/outbox/detail.html", context)


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        send_again([message.pk], now=timezone.now())
    except MessagingError as exc:
        messages.error(request, f"Not queued again: {exc}.")
    else:
        messages.success(request, "Queued again: it goes at the next delivery.")
    return redirect("web:message", pk=message.pk)


def _ask(pk: int) -> Ask:
    return get_object_or_404(
        Ask.objects.select_related(
            "contact__account__owner", "ask_type", "owner", "trigger_signal"
        ),
        pk=pk,
    )


@login_required
def ask_email(request: HttpRequest, pk: int) -> HttpResponse:
    """The ask's email as it would go now: headers and the plain text, the HTML linked."""
    ask = _ask(pk)
    kind = request.GET.get("kind", "ask")
    try:
        rendered = preview(ask, kind=kind)
    except MessagingError as exc:
        messages.error(request, str(exc))
        return redirect("web:ask", pk=ask.pk)
    context = {
        "section": "pipeline",
        "ask": ask,
        "email": rendered,
        "kind": kind,
        "unsubscribe_header": rendered.headers.get("List-Unsubscribe", ""),
    }
    return render_page(request, "web/outbox/preview.html", context)


@login_required
def ask_email_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML part of the ask's email, as a document of its own."""
    try:
        rendered = preview(_ask(pk), kind=request.GET.get("kind", "ask"))
    except MessagingError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    return standalone_document(rendered.html)


@login_required
@require_POST
def ask_email_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the ask's email to the signed-in user now."""
    ask = _ask(pk)
    try:
        sent = send_test(ask, actor=request.user, now=timezone.now())
    except MessagingError as exc:
        messages.error(request, f"No test sent: {exc}.")
        return redirect("web:ask", pk=ask.pk)
    if sent.status == MessageStatus.SENT:
        messages.success(request, f"Test sent to {sent.to_email}: “{sent.subject}”.")
    else:
        messages.error(
            request, f"The test to {sent.to_email} is {sent.get_status_display().lower()}: "
            f"{sent.reason}",
        )  # fmt: skip
    return redirect("web:ask", pk=ask.pk)


@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no CSRF token; it needs none
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """Public, no login. GET: a page with one button (mail scanners only GET, so opening the
    link changes nothing). POST: the person is opted out, at once."""
    context: dict[str, object] = {"token": token, "done": False, "test": is_test(token)}
    if context["test"]:
        return render(request, "web/outbox/unsubscribe.html", context)
    try:
        contact = contact_of(token)
    except BadToken as exc:
        return render(request, "web/outbox/unsubscribe.html", {"error": str(exc)}, status=404)
    if request.method == "POST":
        unsubscribe(token, now=timezone.now())
        context["done"] = True
    context["email"] = contact.email
    return render(request, "web/outbox/unsubscribe.html", context)


# The mail folder (advocacy.messaging.mailfolder): the emails written as files, read back. Its
# emails hold working portal links, so it takes the right to take a portal link.


@login_required
def mail_folder(request: HttpRequest) -> HttpResponse:
    context = {
        "section": "outbox",
        "enabled": mailfolder.enabled(),
        "folder": mailfolder.folder(),
        "entries": mailfolder.entries(100) if mailfolder.enabled() else [],
    }
    return render_page(request, "web/outbox/mail_folder.html", context)


def _entry(key: str) -> mailfolder.Entry:
    found = mailfolder.entry(key)
    if found is None:
        raise Http404("No such email in the mail folder.")
    return found


@login_required
def mail_folder_entry(request: HttpRequest, key: str) -> HttpResponse:
    entry = _entry(key)
    sent = Message.objects.filter(message_id=entry.message_id).only("pk").first()
    context = {"section": "outbox", "entry": entry, "message": sent}
    return render_page(request, "web/outbox/mail_folder_entry.html", context)


@login_required
def mail_folder_html(request: HttpRequest, key: str) -> HttpResponse:
    """The HTML part of an email of the folder, as a document of its own."""
    entry = _entry(key)
    if not entry.html:
        raise Http404("This email has no HTML part.")
    return standalone_document(entry.html)
