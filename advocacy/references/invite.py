"""The calendar invite of a reference call: RFC 5546 METHOD:REQUEST, built with icalendar.

The UID is stored on the call, so every re-send updates the same event in the attendees'
calendars; SEQUENCE grows with each revision. The description carries seed 003's talking points
(the advocate controls the narrative) and the prospects the call is for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from advocacy.references.models import ReferenceCall

if TYPE_CHECKING:
    from icalendar import vCalAddress

PRODID = "-//advocacy//reference desk//EN"
TALKING_POINTS = (
    "How you chose the product",
    "Implementation experience",
    "Key results and ROI achieved",
    "What you value most",
    "Advice to other companies evaluating it",
)


def _address(email: str, name: str, role: str, *, organizer: bool = False) -> vCalAddress:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    if not organizer:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address


def requests_of(call: ReferenceCall) -> list[Any]:
    """The call's requests in id order: from a prefetch (`requests__requested_by`) if the caller
    made one (the outbox renders a batch of invites without a query each), else one query."""
    return sorted(call.requests.all(), key=lambda r: r.pk)


def description(call: ReferenceCall) -> str:
    requests = requests_of(call)
    lines = ["Reference call (15-20 minutes). Thank you for sharing your experience.", ""]
    lines.append("For:" if len(requests) > 1 else "For")
    for r in requests:
        what = f"{r.prospect_company} ({r.industry}), opportunity {r.opportunity}"
        lines.append(f"- {what}" + (f"; use case: {r.use_case}" if r.use_case else ""))
    lines += ["", "Talking points (you control the narrative):"]
    lines += [f"- {point}" for point in TALKING_POINTS]
    return "\n".join(lines)


def invite(call: ReferenceCall, *, now: datetime) -> bytes:
    """The .ics bytes of `call`: one VEVENT, organizer the desk user, everyone invited."""
    # Imported here, not at the top: icalendar costs a seventh of a second that every command
    # and worker paid at start-up through the URLconf (docs/benchmarks.md).
    from icalendar import Calendar, Event

    contact = call.contact
    requests = requests_of(call)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", call.uid)
    event.add("dtstamp", now)
    event.add("dtstart", call.starts_at)
    event.add("dtend", call.starts_at + timedelta(minutes=call.duration_minutes))
    event.add("sequence", call.sequence)
    prospects = ", ".join(r.prospect_company for r in requests)
    event.add("summary", f"Reference call: {contact.account.name} with {prospects}")
    event.add("description", description(call))
    event.add("status", "CONFIRMED")
    organizer = call.organizer
    event["organizer"] = _address(
        organizer.email or f"{organizer.get_username()}@localhost",
        organizer.get_full_name() or organizer.get_username(),
        "CHAIR",
        organizer=True,
    )
    seen: set[str] = set()

    def attend(email: str, name: str, role: str) -> None:
        if email and email not in seen:
            seen.add(email)
            event.add("attendee", _address(email, name, role), encode=False)

    attend(contact.email, contact.full_name, "REQ-PARTICIPANT")
    for r in requests:
        seller = r.requested_by
        attend(seller.email, seller.get_full_name() or seller.get_username(), "REQ-PARTICIPANT")
        for email in r.prospect_contacts:
            attend(email, "", "REQ-PARTICIPANT")
    cal.add_component(event)
    return cal.to_ical()


def filename(call: ReferenceCall) -> str:
    return f"reference-call-{call.pk}.ics"
