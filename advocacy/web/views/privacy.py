"""A person's data from the contact page: download it (export), or erase the person.

Both are for those who may manage privacy (admins); anyone else gets the 403 page naming who
may. Erasing asks for the contact's email to be typed and for the reason, then redirects to the
contacts list: the contact page is gone.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from advocacy.customers.models import Contact
from advocacy.people.models import Via
from advocacy.people.permissions import Action, Forbidden, require
from advocacy.privacy.services import (
    MAX_REASON,
    PrivacyError,
    erase_person,
    export_person,
    holdings,
)
from advocacy.web.htmx import render_page
from advocacy.web.views.engine import actor

# The typed email's field starts with "_": what a form submitted is kept in the audit log
# without such fields, so the address erased is not written back there.
CONFIRM = "_confirm_email"


def _require_privacy(request: HttpRequest) -> None:
    try:
        require(request.user, Action.PRIVACY_MANAGE)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None


@login_required
def contact_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's document as a JSON download; the export is recorded in the audit log."""
    _require_privacy(request)
    contact = get_object_or_404(Contact, pk=pk)
    document = export_person(contact, actor=actor(request), via=Via.WEB, now=timezone.now())
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        help_text="The request this answers: who asked, when, how (an email, a ticket).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, contact: Contact, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.fields[CONFIRM] = forms.CharField(
            label="Type the contact's email to confirm",
            max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
        self.order_fields([CONFIRM, "reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = (data.get(CONFIRM) or "").strip().lower()
        if CONFIRM in data and typed != self.contact.email:
            self.add_error(CONFIRM, f"This is not the contact's email: type {self.contact.email}.")
        return data


@login_required
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page; on POST with the email typed and a reason, the erasure."""
    _require_privacy(request)
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    status = 200
    if request.method == "POST":
        form = ErasureForm(contact, request.POST)
        if form.is_valid():
            try:
                done = erase_person(
                    contact,
                    actor=actor(request),
                    via=Via.WEB,
                    now=timezone.now(),
                    reason=form.cleaned_data["reason"],
                )
            except PrivacyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Contact {done.contact_id} erased: {done.total_deleted} record(s) deleted. "
                    "Their email and identities are on the suppression list: they will not be "
                    "imported again.",
                )
                return redirect("web:contacts")
        status = 422
    else:
        form = ErasureForm(contact)
    context = {
        "section": "contacts",
        "contact": contact,
        "form": form,
        "holdings": holdings(contact),
    }
    return render_page(request, "web/contacts/erase.html", context, status=status)
