"""Users, their API keys and the audit log, for admins (the access middleware checks the role).

Thin views: each parses a form, calls one service of advocacy.people and renders or redirects.
Every change is audited by the service with its before and after.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.core.lockout import LockoutError, lockouts
from advocacy.people import audit
from advocacy.people.models import ApiKey, NotifyBy, Role, Scope, Via
from advocacy.people.services import (
    Change,
    PeopleError,
    find_user,
    invite_user,
    issue_api_key,
    reset_password,
    revoke_api_key,
    set_notify_by,
    unlock_user,
    update_user,
    users,
)
from advocacy.web.access import client_ip
from advocacy.web.htmx import render_page


def _change(request: HttpRequest) -> Change:
    return Change(actor=request.user, via=Via.WEB, now=timezone.now(), ip=client_ip(request))  # type: ignore[arg-type]


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CUSTOMER_SUCCESS)


class UserForm(forms.Form):
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(required=False, label="May sign in")
    notify_by = forms.ChoiceField(
        choices=NotifyBy.choices,
        required=False,
        label="Notices reach them by",
        help_text="Every notice is on their work queue; this says where else it goes.",
    )


class KeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it: 'crm sync', 'ci'.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )


class NoticesForm(forms.Form):
    notify_by = forms.ChoiceField(
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
        label="My notices reach me by",
        help_text="Every notice is on your work queue; this says where else it goes.",
    )


def my_notices(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own choice of how their notices reach them (POST here)."""
    user = request.user
    form = NoticesForm(request.POST or None, initial={"notify_by": user.notify_by})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        set_notify_by(user, form.cleaned_data["notify_by"], change=_change(request))  # type: ignore[arg-type]
        messages.success(request, "Saved: your notices reach you as you chose.")
        return redirect("web:my_notices")
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/users/my_notices.html", {"form": form}, status=status)


def user_list(request: HttpRequest) -> HttpResponse:
    """Everyone who may sign in, and a form to invite someone (POST here)."""
    form = InviteForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            user, link = invite_user(
                form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                change=_change(request),
            )
        except PeopleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Invited {user.username}. Send them the link below: it lets them set a "
                "password once.",
            )
            form = InviteForm()
    context = {
        "section": "users",
        "users": users(),
        "form": form,
        "link": link and request.build_absolute_uri(link),
        "roles": Role.choices,
    }
    status = 422 if request.method == "POST" and link is None else 200
    return render_page(request, "web/users/list.html", context, status=status)


def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    """One user: change their role, email, or whether they may sign in (POST here)."""
    try:
        user = find_user(username)
    except PeopleError as exc:
        return render_page(request, "404.html", {"exception": str(exc)}, status=404)
    initial = {
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "notify_by": user.notify_by,
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_user(
                user.username,
                change=_change(request),
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                is_active=form.cleaned_data["is_active"],
                notify_by=form.cleaned_data["notify_by"] or None,
            )
        except PeopleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved {user.username}.")
            return redirect("web:user", username=user.username)
    context = {
        "section": "users",
        "subject": user,
        "lockouts": lockouts(now=timezone.now(), username=user.username),
        "form": form,
        "entries": audit.entries(text=f"user {user.username}")[:20],
    }
    status = 422 if request.method == "POST" else 200
    return render_page(request, "web/users/detail.html", context, status=status)


@require_POST
def user_password(request: HttpRequest, username: str) -> HttpResponse:
    """Reset a password: the old one stops working; the page shows a one-time link."""
    try:
        link = reset_password(username, change=_change(request))
    except PeopleError as exc:
        messages.error(request, str(exc))
        return redirect("web:users")
    messages.success(
        request,
        f"{username}'s password no longer works. Send them this one-time link to set a new "
        f"one: {request.build_absolute_uri(link)}",
    )
    return redirect("web:user", username=username)


@require_POST
def user_unlock(request: HttpRequest, username: str) -> HttpResponse:
    """End a login lockout now: the user may try their password again."""
    try:
        done = unlock_user(username, change=_change(request))
    except LockoutError as exc:
        messages.error(request, str(exc))
        return redirect("web:users")
    if done.was_locked_until is None:
        messages.info(request, f"{username} was not locked out.")
    else:
        messages.success(request, f"Unlocked {username}: they may sign in again now.")
    return redirect("web:user", username=username)


def api_keys(request: HttpRequest) -> HttpResponse:
    """Every key, and a form to issue one to a user (POST here); a secret is shown once."""
    form = KeyForm(request.POST or None)
    user_choices = [(u.username, u.username) for u in users() if u.is_active]
    form.fields["user"] = forms.ChoiceField(choices=user_choices)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = issue_api_key(
                form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                actor=request.user,  # type: ignore[arg-type]
                now=timezone.now(),
                via=Via.WEB,
                ip=client_ip(request),
            )
        except PeopleError as exc:
            form.add_error(None, str(exc))
    keys = ApiKey.objects.select_related("user").order_by("-created_at", "-id")
    context = {"section": "users", "keys": keys, "form": form, "secret": secret}
    status = 422 if request.method == "POST" and secret is None else 200
    return render_page(request, "web/users/keys.html", context, status=status)


@require_POST
def api_key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    try:
        revoked = revoke_api_key(
            prefix,
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            via=Via.WEB,
            ip=client_ip(request),
        )
    except PeopleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Key {prefix} revoked." if revoked else "Already revoked.")
    return redirect("web:api_keys")


class AuditFilter(forms.Form):
    actor = forms.CharField(required=False)
    action = forms.CharField(required=False)
    via = forms.ChoiceField(choices=[("", "Anywhere"), *Via.choices], required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False, label="Target contains")


def _audit_entries(request: HttpRequest) -> tuple[AuditFilter, Any]:
    form = AuditFilter(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    since = data.get("since")
    found = audit.entries(
        actor=data.get("actor") or "",
        action=data.get("action") or "",
        via=data.get("via") or "",
        since=None if since is None else timezone.make_aware(datetime.combine(since, time.min)),
        text=data.get("q") or "",
    ).select_related("actor")
    return form, found


def audit_log(request: HttpRequest) -> HttpResponse:
    """Who changed what, when and from where; newest first, filterable, exportable."""
    form, found = _audit_entries(request)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {"section": "audit", "form": form, "page": page, "query": request.GET.urlencode()}
    return render_page(request, "web/audit/list.html", context)


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _, found = _audit_entries(request)
    response = StreamingHttpResponse(audit.csv_lines(found), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
