"""The advocate's own settings: their preferences, and opting out, each told to their CSM."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from advocacy.customers.models import Contact
from advocacy.engine.policy import Policy
from advocacy.engine.preferences import Preferences, set_preferences
from advocacy.pipeline.agreement_services import OptOutResult, opt_out
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify


def _to_csm(contact: Contact, kind: str, text: str, key: str) -> NoticeDraft:
    owner = contact.account.owner
    return NoticeDraft(
        key=key,
        kind=kind,
        contact_id=contact.pk,
        recipient_id=owner.pk if owner is not None else None,
        role="cs",
        text=text,
    )


def _who(contact: Contact) -> str:
    return contact.full_name or contact.email


@transaction.atomic
def save_preferences(
    contact: Contact, wanted: Preferences, *, policy: Policy, now: datetime
) -> Preferences:
    """Record what the advocate said (it tightens their tap caps at once); their CSM is told."""
    saved = set_preferences(contact, wanted, policy=policy, now=now)
    text = f"{_who(contact)} changed their preferences: {saved.frequency_label().lower()}"
    if saved.unwilling:
        text += f"; not for {', '.join(n.lower() for n in saved.unwilling_names())}"
    notify(
        [
            _to_csm(
                contact,
                NoticeKind.PREFERENCES_CHANGED,
                text + ".",
                f"preferences_changed:{contact.pk}:{now.isoformat()}",
            )
        ],
        now=now,
    )
    return saved


@transaction.atomic
def leave_program(contact: Contact, *, now: datetime) -> OptOutResult:
    """Opt out, no hard feelings: every open ask cancelled and the agreement ended at once
    (`opt_out`); the CSM is told once."""
    result = opt_out(contact, now=now, actor=None, reason="in the portal")
    if not result.already:
        notify(
            [
                _to_csm(
                    contact,
                    NoticeKind.OPTED_OUT,
                    f"{_who(contact)} opted out of the program in the portal; "
                    f"{len(result.cancelled)} open ask(s) cancelled.",
                    f"opted_out:{contact.pk}",
                )
            ],
            now=now,
        )
    return result
