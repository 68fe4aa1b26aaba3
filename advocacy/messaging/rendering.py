"""Each message as an email: subject, plain text and HTML from the templates of its ask type.

The texts follow the practitioners' own: the review request email (Quick favor? 2 minutes),
the testimonial questions (results, story, recommendation), the reference program's
recruitment approach and the talking points given to the advocate, and the follow-up after five
days. Merge fields: the person (`first_name`, `company`), the milestone that triggered the ask
(`milestone`, from its signal), the magic link to the portal (`link`,
advocacy.messaging.links.link_url), the owner who signs it, the product and the incentive.

Every email:
- comes From the ask's owner (their name and address; Reply-To the same), with the program's
  ADVOCACY_FROM_EMAIL as the envelope sender and the Sender header, so bounces come back to the
  program; an ask owned by a role's pool comes from the CSM who owns the account, and one with
  neither from the program's address;
- has a plain-text body and an HTML alternative;
- carries its row's stable Message-ID, and List-Unsubscribe (mailto and https) with
  List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).

A team notice (kind `notice`) is another letter: from the program's address to the team
member, the notice's text and a link to what it is about in the staff UI; no List-Unsubscribe
(the member's `notify_by` says where their notices go).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape

from advocacy.messaging.links import link_url
from advocacy.messaging.models import Message, MessageKind
from advocacy.messaging.unsubscribe import trial_token, unsubscribe_mailto, unsubscribe_url
from advocacy.references.invite import invite, requests_of
from advocacy.rewards.policy import active_policy

K = MessageKind

# Which letter an ask type's first email is (unknown types: the general one).
LETTER_OF_TYPE = {
    "review": "review",
    "testimonial_quote": "testimonial",
    "anonymous_quote": "testimonial",
    "video_testimonial": "testimonial",
    "case_study": "testimonial",
    "reference_call": "reference_call",
}
SUBJECTS = {
    "review": "Quick favor? (2 minutes)",
    "testimonial": "Would you share your story with {product}?",
    "reference_call": "Would you share your experience with a few prospects?",
    "general": "A small ask, {first_name}: {ask_name}",
    "reminder": "Following up: {subject}",
    "thanks": "Thank you, {first_name}",
    "approval": "Would you approve your {asset_kind}?",
    "call_invite": "Reference call: {company} with {prospects}, {call_when}",
    "tier": "You have reached {tier}, {first_name}",
}
PEERS = {
    "executive": "leaders",
    "decision_maker": "decision makers",
    "champion": "teams",
    "admin": "admins",
    "power_user": "power users",
    "end_user": "people",
}


def milestone(signal: Any, product: str) -> str:
    """What the person did that moved us to ask, as the end of "I noticed ..."."""
    if signal is None:
        return f"how much your team has been getting out of {product}"
    kind, value, text = signal.kind, signal.value, (signal.text or "").strip()
    number = f"{value:g}" if value is not None else ""
    phrases = {
        "nps": f"you gave us a {number} out of 10 when we asked if you would recommend {product}",
        "csat": f"you rated our support {number} out of 5",
        "usage_milestone": f"your team reached a milestone with {product}"
        + (f": {text}" if text else ""),
        "expansion": f"your team has just expanded its use of {product}",
        "renewal": f"you renewed with {product}",
        "result_shared": "you shared the results you have seen" + (f": {text}" if text else ""),
        "reference_completed": "you just took a reference call and helped a peer decide",
        "csm_nomination": f"how much your team has been getting out of {product}",
    }
    return phrases.get(kind, f"how much your team has been getting out of {product}")


def letter_of(message: Message) -> str:
    if message.kind == K.REMINDER:
        return "reminder"
    if message.kind == K.THANKS:
        return "thanks"
    if message.kind == K.APPROVAL:
        return "approval"
    if message.kind == K.CALENDAR:
        return "call_invite"
    if message.kind == K.TIER:
        return "tier"
    code = message.ask.ask_type.code if message.ask is not None else ""
    return LETTER_OF_TYPE.get(code, "general")


def signer(message: Message) -> Any:
    """Who the email comes from: the ask's owner, else (an ask owned by a role's pool) the
    CSM who owns the account, the person the relationship is with; None: the program."""
    for who in (
        message.ask.owner if message.ask is not None else None,
        message.advocate.account.owner,
    ):
        if who is not None and who.email:
            return who
    return None


def sender(message: Message) -> str:
    """`Name <address>` of the signer; the program's address when there is none."""
    who = signer(message)
    if who is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((who.get_full_name() or who.get_username(), who.email))


def _incentive(message: Message) -> str:
    play = getattr(message.ask, "play_row", None)
    if play is None:
        return ""
    return str(play.definition.get("incentive", ""))


# The incentive of a review ask, said in the ask itself and never tied to the rating: review
# sites (and the FTC's endorsement guides) require both. `render` refuses a review email that
# leaves the sentence out, so a customised template cannot drop it.
REVIEW_LETTERS = ("review", "reminder")


def review_disclosure(incentive: str) -> str:
    """The sentence that discloses a review's incentive, whatever the rating."""
    if not incentive:
        return ""
    return (
        f"As a thank-you, we offer {incentive.rstrip('.')} for an honest review,"
        " whatever your rating."
    )


def _is_review(message: Message) -> bool:
    return message.ask is not None and message.ask.ask_type.code == "review"


class UndisclosedIncentive(RuntimeError):
    """A review email with an incentive that does not say it."""


def context(message: Message, *, link: str | None = None) -> dict[str, Any]:
    """The merge fields of one message. A test never carries the advocate's working link."""
    if message.kind == K.TEST and link is None:
        link = f"{settings.SITE_URL}/portal/enter/TEST-the-advocate-gets-their-own-link/"
    ask, contact = message.ask, message.advocate
    product = settings.PRODUCT_NAME
    owner = signer(message)
    owner_name = (owner.get_full_name() or owner.get_username()) if owner is not None else ""
    return {
        "first_name": contact.first_name or contact.full_name or "there",
        "full_name": contact.full_name or contact.email,
        "company": contact.account.name,
        "peers": PEERS.get(contact.persona, "teams like yours"),
        "product": product,
        "milestone": milestone(ask.trigger_signal if ask is not None else None, product),
        "ask_name": ask.ask_type.name if ask is not None else "",
        "ask_description": (ask.ask_type.description if ask is not None else "").strip(),
        "incentive": _incentive(message),
        "disclosure": review_disclosure(_incentive(message)) if _is_review(message) else "",
        "owner_name": owner_name or settings.PROGRAM_NAME,
        "link": link if link is not None else link_url(contact.pk, ask_id=getattr(ask, "pk", None)),
        "unsubscribe_url": _unsubscribe_url(message),
        "program": settings.PROGRAM_NAME,
        "test": message.kind == K.TEST,
        "asset_title": message.asset.title if message.asset is not None else "",
        "asset_kind": (message.asset.get_kind_display().lower() if message.asset else "content"),
        # A tier message's step is the level reached (no query: the policy is in memory).
        "tier": active_policy().name_of(message.step) if message.kind == K.TIER else "",
        **_call_fields(message),
    }


def _call_fields(message: Message) -> dict[str, Any]:
    """A call invite's merge fields: when, how long, with whom (the same for every recipient)."""
    call = message.call
    if call is None:
        return {"call_when": "", "call_minutes": 0, "prospects": ""}
    requests = [r.prospect_company for r in requests_of(call)]
    return {
        "call_when": f"{call.starts_at:%a %d %b %Y, %H:%M} UTC",
        "call_minutes": call.duration_minutes,
        "prospects": ", ".join(requests) or "a prospect",
    }


def _unsubscribe_url(message: Message) -> str:
    if message.kind == K.TEST:  # a team member's click must never opt the advocate out
        return f"{settings.SITE_URL}/unsubscribe/{trial_token(message.advocate.pk)}/"
    return unsubscribe_url(message.advocate.pk)


@dataclass(frozen=True)
class Rendered:
    letter: str
    subject: str
    text: str
    html: str
    from_header: str
    to: str
    headers: dict[str, str]
    calendar: bytes = b""  # a call invite's .ics (METHOD:REQUEST), sent as its own part


def notice_url(notice: Any) -> str:
    """Where in the staff UI a notice's reader acts on it: its own path, its ask, its
    advocate, else the dashboard."""
    if notice.path:
        return f"{settings.SITE_URL}{notice.path}"
    if notice.ask_id is not None:
        return f"{settings.SITE_URL}/asks/{notice.ask_id}/"
    if notice.contact_id is not None:
        return f"{settings.SITE_URL}/contacts/{notice.contact_id}/"
    return f"{settings.SITE_URL}/"


def render_notice(message: Message) -> Rendered:
    """The email of a team notice: what happened, about whom, and the link to act on it."""
    notice = message.notice
    assert notice is not None, "a notice message without its notice"
    contact = notice.contact
    about = ""
    if contact is not None:
        about = f"{contact.full_name or contact.email}, {contact.account.name}"
    kind = notice.get_kind_display()
    subject = f"[{settings.PROGRAM_NAME}] {kind}: {notice.text}"[:300]
    ctx = {
        "kind": kind,
        "text": notice.text,
        "about": about,
        "url": notice_url(notice),
        "program": settings.PROGRAM_NAME,
        "to": message.to_email,
        "subject": subject,
    }
    text = render_to_string("messaging/email/notice.txt", ctx)
    html = render_to_string("messaging/email/notice.html", ctx)
    sender_address = settings.DEFAULT_FROM_EMAIL
    headers = {"From": sender_address, "Message-ID": message.message_id}
    return Rendered("notice", subject, text, html, sender_address, message.to_email, headers)


# Letters of kinds an upper layer writes (advocacy.value's value moments): kind -> renderer.
# A renderer MUST render from the row alone (its contact, account and `payload`), with no query
# and no network, as the worker renders every other email.
# `link`: the portal link to show instead of a working one (a preview), as for every letter.
LETTERS: dict[str, Callable[[Message, str | None], Rendered]] = {}


def register_letter(kind: str, renderer: Callable[[Message, str | None], Rendered]) -> None:
    """Render messages of `kind` with `renderer` (called in an upper layer's AppConfig.ready)."""
    LETTERS[kind] = renderer


@lru_cache(maxsize=16)
def _mailbox(address: str) -> str:
    """The bare address of the program's From (the same for every email: parsed once)."""
    return parseaddr(address)[1] or address


def render(message: Message, *, link: str | None = None) -> Rendered:
    """The email of `message`, as the worker sends it and the preview shows it."""
    if message.kind == K.NOTICE:
        return render_notice(message)
    if message.kind in LETTERS:
        return LETTERS[message.kind](message, link)
    letter = letter_of(message)
    ctx = context(message, link=link)
    # Someone who is not the contact (a seller, a prospect) gets no unsubscribe of the contact's.
    foreign = bool(message.to_email) and message.kind != K.TEST
    ctx["may_unsubscribe"] = not foreign
    if foreign:
        ctx["unsubscribe_url"] = ""
    # A reminder's subject follows the first email's ("Following up: Quick favor?").
    first = SUBJECTS[letter_of_first(message)].format(**ctx)
    subject = SUBJECTS[letter].format(**{**ctx, "subject": first})
    if message.kind == K.TEST:
        subject = f"[Test] {subject}"
    ctx["subject"] = subject
    text, html = fill(letter, ctx)
    disclosure = ctx.get("disclosure", "")
    if disclosure and letter in REVIEW_LETTERS and disclosure not in text:
        raise UndisclosedIncentive(
            f"the {letter} email offers {ctx['incentive']!r} for a review without saying so"
        )
    from_header = sender(message)
    mailbox = _mailbox(settings.DEFAULT_FROM_EMAIL)
    unsubscribe = ctx["unsubscribe_url"]
    mailto = unsubscribe_mailto(message.advocate.pk, mailbox)
    headers = {
        "From": from_header,
        "Reply-To": from_header,
        "Message-ID": message.message_id,
    }
    if not foreign:
        headers["List-Unsubscribe"] = f"<{mailto}>, <{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if from_header != settings.DEFAULT_FROM_EMAIL:
        headers["Sender"] = settings.DEFAULT_FROM_EMAIL
    to = message.to_email or message.advocate.email
    calendar = b""
    if message.kind == K.CALENDAR and message.call is not None:
        # Stamped when the row was written: every attempt carries the same bytes.
        calendar = invite(message.call, now=message.created_at)
    return Rendered(letter, subject, text, html, from_header, to, headers, calendar)


# The merge fields that differ from one person to the next. The others are the same for every
# email of one letter, ask type and play, so the templates are rendered once for each such set
# (with a mark where each personal field goes) and the marks then replaced, the values escaped
# for the HTML part: what rendering each email whole would give, at a fraction of the cost.
PERSONAL = (
    "first_name",
    "full_name",
    "company",
    "peers",
    "milestone",
    "owner_name",
    "link",
    "unsubscribe_url",
    "subject",
)
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no template or person writes them


def _mark(name: str) -> str:
    return f"{_OPEN}{name}{_CLOSE}"


@lru_cache(maxsize=512)
def _skeleton(letter: str, shared: tuple[tuple[str, Any], ...]) -> tuple[str, str]:
    ctx = {**dict(shared), **{name: _mark(name) for name in PERSONAL}}
    return (
        render_to_string(f"messaging/email/{letter}.txt", ctx),
        render_to_string(f"messaging/email/{letter}.html", ctx),
    )


def fill(letter: str, ctx: dict[str, Any]) -> tuple[str, str]:
    """The plain text and the HTML of `letter` with the merge fields of `ctx`."""
    shared = tuple(sorted((k, v) for k, v in ctx.items() if k not in PERSONAL))
    text, html = _skeleton(letter, shared)
    for name in PERSONAL:
        value = str(ctx.get(name, "")).replace(_OPEN, "").replace(_CLOSE, "")
        text = text.replace(_mark(name), value)
        html = html.replace(_mark(name), escape(value))
    return text, html


def render_whole(letter: str, ctx: dict[str, Any]) -> tuple[str, str]:
    """The same, each template rendered with every field (what `fill` must equal)."""
    return (
        render_to_string(f"messaging/email/{letter}.txt", ctx),
        render_to_string(f"messaging/email/{letter}.html", ctx),
    )


def letter_of_first(message: Message) -> str:
    """The letter of the ask's first email (a reminder's subject follows it)."""
    code = message.ask.ask_type.code if message.ask is not None else ""
    return LETTER_OF_TYPE.get(code, "general")


def email_of(rendered: Rendered) -> EmailMultiAlternatives:
    """The Django email: envelope from the program's address, headers as rendered."""
    mail = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rendered.to],
        headers=rendered.headers,
    )
    mail.attach_alternative(rendered.html, "text/html")
    if rendered.calendar:
        # The part calendar clients act on (RFC 6047), and the same as a file to open.
        ics = rendered.calendar.decode()
        mail.attach_alternative(ics, "text/calendar; method=REQUEST")
        mail.attach("invite.ics", rendered.calendar, "application/ics")
    return mail
