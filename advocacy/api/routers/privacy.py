"""/api/contacts/{id}/export and /api/contacts/{id}/erase (`privacy:write`, admins only).

The export is everything held about one contact (docs/privacy.md lists its keys); the erasure
deletes them and keeps only keyed hashes, so they are never imported again. Both are recorded
in the audit log. The export is a read, but of one person's whole file: it needs the scope of
the erasure, not `read`.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Schema
from ninja.errors import HttpError

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOfIn, as_of, bounded
from advocacy.customers.models import Contact
from advocacy.people.models import User, Via
from advocacy.people.permissions import Action, Forbidden, require
from advocacy.privacy.services import (
    MAX_REASON,
    PersonGone,
    PrivacyError,
    erase_person,
    export_person,
)

router = ScopedRouter(tags=["privacy"])
ContactId = Path(..., ge=1, le=MAX_ID)
Rows = list[dict[str, Any]]


class PersonExportOut(Schema):
    """`advocacy.person-export` version 1: every key is listed in docs/privacy.md."""

    format: str = Field(description="Always `advocacy.person-export`")
    version: int = Field(description="1; a new version only adds keys or changes their meaning")
    exported_at: datetime
    contact: dict[str, Any]
    identities: Rows
    account: dict[str, Any]
    signals: Rows
    profile: dict[str, Any] | None = Field(description="As last refreshed; null if never")
    preferences: dict[str, Rows]
    tap_claims: Rows
    decisions: Rows
    asks: Rows = Field(description="Each with its events, checklist steps and cap overrides")
    agreements: Rows
    content: Rows = Field(description="Each asset with its events, consents, uses, reminders")
    references: dict[str, Any] = Field(description="`offers`, `calls` and the `pool` row")
    messages: Rows = Field(
        description="Every message to or about the person, and to their address for someone "
        "else's call, each with its attempts"
    )
    product_events: Rows = Field(description="The in-product reminders for them on the feed")
    audit: Rows = Field(description="Entries about the person or their records")


class ErasureIn(AsOfIn):
    reason: Annotated[str, bounded(MAX_REASON, min_length=1)] = Field(
        description="The request this erasure answers (an email or ticket reference)"
    )


class ErasureOut(Schema):
    """What the erasure did; the person is named only by keyed hash."""

    contact_id: int
    erased_at: datetime
    email_hash: str = Field(description="HMAC-SHA256 of the email, kept on the suppression list")
    identity_hashes: list[str]
    deleted: dict[str, int] = Field(description="Rows deleted, by model")
    requests_reopened: list[int] = Field(description="Reference requests open again")
    audit_entries_blanked: int
    import_errors_blanked: int
    api_answers_dropped: int


def _admin(request: HttpRequest) -> User:
    """The caller, who must be allowed to manage privacy (admins): 403 naming who may."""
    user = principal_of(request).user
    try:
        require(user, Action.PRIVACY_MANAGE)
    except Forbidden as exc:
        raise HttpError(403, str(exc)) from None
    return user


@router.get(
    "/contacts/{int:contact_id}/export",
    response=PersonExportOut,
    operation_id="export_contact",
)
def export(request: HttpRequest, contact_id: int = ContactId) -> dict[str, Any]:
    """Everything held about one contact, as one document (GDPR article 15); recorded."""
    user = _admin(request)
    contact = get_object_or_404(Contact, pk=contact_id)
    return export_person(contact, actor=user, via=Via.API, now=as_of(None))


@router.post("/contacts/{int:contact_id}/erase", response=ErasureOut, operation_id="erase_contact")
def erase(request: HttpRequest, payload: ErasureIn, contact_id: int = ContactId) -> dict[str, Any]:
    """Delete the contact and everything held about them (GDPR article 17), keeping only a
    keyed hash of their email and identities so they are never imported again; recorded."""
    user = _admin(request)
    contact = get_object_or_404(Contact, pk=contact_id)
    try:
        done = erase_person(
            contact, actor=user, via=Via.API, now=as_of(payload.as_of), reason=payload.reason
        )
    except PersonGone as exc:
        raise HttpError(404, str(exc)) from None
    except PrivacyError as exc:
        raise HttpError(422, str(exc)) from None
    return done.as_dict()
