"""Finding the contact a command names by email, for every app's commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from advocacy.customers.models import Contact


def contact_by_email(email: str) -> Contact:
    """The contact with this email (any case, spaces around ignored); CommandError if none."""
    contact = Contact.objects.filter(email=email.strip().lower()).first()
    if contact is None:
        raise CommandError(f"no contact with email {email!r}")
    return contact
