"""The bytes of an email as the SMTP backend sends them, with the plain headers written as is.

Django's mail framework builds every email on the standard library's `compat32` policy, whose
generator folds each header through `email.header.Header.encode`, even a short ASCII one that
needs no folding: most of the cost of an email's bytes. `Plain32` writes such a header
(printable ASCII, no line break, within the 78-character line of RFC 5322 with its name) as
`Name: value`, which is what `Header.encode` returns for it (a test compares the two). A longer
header of printable ASCII is folded where `compat32` folds the same value with every ordinary
character replaced by `x` (its folding decides on spaces, tabs, `,;()\\` and lengths only), cached
per shape, the characters then put back (a property test compares it with `compat32` too).
Every other header (non-ASCII, with a line break) goes to `compat32` unchanged.

`envelope_address` is Django's `sanitize_address` with the same kind of shortcut: a bare
address of plain ASCII atoms (`ada.lovelace@example.com`) is what it returns for it unchanged;
anything else (a display name, a quoted or non-ASCII part) goes through it.
"""

from __future__ import annotations

import re
from email.generator import BytesGenerator
from email.message import Message as MimeMessage
from email.policy import Compat32
from email.utils import formatdate
from functools import lru_cache
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers, sanitize_address

_PLAIN = re.compile(r"[\x20-\x7e]*")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_BARE = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")


# The characters `Header.encode` decides on when it folds plain ASCII (where to split, what is
# space); every other one only counts for its length.
_SPECIAL = " \t,;()\\"
_OTHER = re.compile(rf"[^{re.escape(_SPECIAL)}]")


class Plain32(Compat32):
    """`compat32`, with the headers that need neither folding nor encoding written as they are,
    and a long plain one folded where `compat32` folds one of the same shape."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if isinstance(value, str) and _PLAIN.fullmatch(value):
            if len(name) + 2 + len(value) <= (self.max_line_length or 78):
                return f"{name}: {value}{self.linesep}"
            folded = _folded(self, name, value)
            if folded is not None:
                return folded
        return str(super()._fold(name, value, sanitize))  # type: ignore[misc]


@lru_cache(maxsize=256)
def _fold_plan(policy: Compat32, name: str, shape: str) -> tuple[tuple[int, str], ...] | None:
    """Where `compat32` folds a plain value whose every ordinary character is an `x`, as what it
    inserts (line breaks, a space) before which character of the value; None if the folded
    shape is not the shape with insertions. The List-Unsubscribe header of every email of a
    batch has one or a few shapes."""
    folded = str(Compat32._fold(policy, name, shape, False))  # type: ignore[attr-defined]
    prefix = f"{name}: "
    if not folded.startswith(prefix):
        return None
    plan: list[tuple[int, str]] = []
    j, n = 0, len(shape)
    for ch in folded[len(prefix) :]:
        if j < n and ch == shape[j]:
            j += 1
        elif plan and plan[-1][0] == j:
            plan[-1] = (j, plan[-1][1] + ch)
        else:
            plan.append((j, ch))
    return tuple(plan) if j == n else None


def _folded(policy: Compat32, name: str, value: str) -> str | None:
    """`value` folded where `compat32` folds its shape (the same characters, and the same
    spaces, tabs and `,;()\\` where it decides), or None."""
    plan = _fold_plan(policy, name, _OTHER.sub("x", value))
    if plan is None:
        return None
    out, last = [f"{name}: "], 0
    for at, inserted in plan:
        out += (value[last:at], inserted)
        last = at
    out.append(value[last:])
    return "".join(out)


SMTP_POLICY = Plain32(linesep="\r\n")


def wire_bytes(mime: MimeMessage) -> bytes:
    """The bytes of `mime` with CRLF line ends, as Django's `as_bytes(linesep="\\r\\n")` gives
    them (no `From ` mangling), its plain headers unfolded."""
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=SMTP_POLICY).flatten(mime)
    return out.getvalue()


def envelope_address(address: str, encoding: str) -> str:
    """`address` as Django's SMTP backend puts it in the envelope (`sanitize_address`)."""
    if _BARE.fullmatch(address):
        return address
    return str(sanitize_address(address, encoding))


# The whole email, for the common shape -------------------------------------------------------

_NL = re.compile(r"\r\n|\r|\n")
# RFC 5322's 998 bytes: Django encodes a body with a longer line as quoted-printable.
LINE_LIMIT = 998
_SKIP = frozenset({"from", "to", "cc", "reply-to"})  # the headers Django's message() writes first


def _header(name: str, value: Any, encoding: str) -> bytes:
    """One header as Django stores it (`forbid_multi_line_headers`) and the policy writes it."""
    if name.lower() == "subject":
        name, value = _subject(value, encoding)
    else:
        name, value = forbid_multi_line_headers(name, value, encoding)
    return SMTP_POLICY.fold_binary(name, value)


@lru_cache(maxsize=256)
def _subject(value: str, encoding: str) -> tuple[str, str]:
    # A batch has one or a few subjects: Django encodes each through `Header` (an ASCII one too).
    return forbid_multi_line_headers("Subject", value, encoding)  # type: ignore[no-any-return]


def _too_long(data: bytes) -> bool:
    """Whether `data` has a run of more than LINE_LIMIT bytes with no CR or LF in it (split in
    C: a regular expression for the run tries every start of every line)."""
    if len(data) <= LINE_LIMIT:
        return False
    return max(map(len, data.replace(b"\r", b"\n").split(b"\n"))) > LINE_LIMIT


def _part(text: str, subtype: str, encoding: str) -> bytes | None:
    """A text part's headers and body as Django's `SafeMIMEText` writes them, or None when it
    would be quoted-printable (a line too long)."""
    try:
        data = text.encode(encoding)
    except UnicodeError:
        return None  # the slow path refuses it as it always has
    # Django splits at more line ends than these (`str.splitlines`): a line it finds too long is
    # too long here too, and the rare one too long only here takes the slow path, Django's bytes.
    if _too_long(data):
        return None
    cte = "7bit" if data.isascii() else "8bit"
    head = (
        f'Content-Type: text/{subtype}; charset="{encoding}"\r\n'
        f"MIME-Version: 1.0\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode()
    return head + _NL.sub("\r\n", data.decode("ascii", "surrogateescape")).encode(
        "ascii", "surrogateescape"
    )


def fast_wire(mail: EmailMultiAlternatives, boundary: str, date: str | None = None) -> bytes | None:
    """`wire_bytes(mail.message())` with its boundary set to `boundary`, written without building
    the standard library's message, for the one shape the outbox sends: a plain-text body and one
    HTML alternative, in UTF-8, no attachment, no line over 998 bytes. None for any other
    shape (the caller takes the slow path). `date`: the Date header (default: now, as Django
    writes it). A test holds that the bytes are the same as the slow path's."""
    encoding = mail.encoding or settings.DEFAULT_CHARSET
    alternatives: list[Any] = list(getattr(mail, "alternatives", ()))
    if (
        encoding != "utf-8"
        or mail.attachments
        or not mail.body
        or mail.content_subtype != "plain"
        or len(alternatives) != 1
        or alternatives[0][1] != "text/html"
        or not isinstance(alternatives[0][0], str)
        or not isinstance(mail.body, str)
    ):
        return None
    text = _part(mail.body, "plain", encoding)
    html = _part(alternatives[0][0], "html", encoding)
    if text is None or html is None:
        return None
    extra = mail.extra_headers
    lowered = {key.lower() for key in extra}
    head = [
        _header("Content-Type", f'multipart/alternative; boundary="{boundary}"', encoding),
        b"MIME-Version: 1.0\r\n",
        _header("Subject", str(mail.subject), encoding),
        _header("From", extra.get("From", mail.from_email), encoding),
    ]
    for name, values in (("To", mail.to), ("Cc", mail.cc), ("Reply-To", mail.reply_to)):
        if name in extra:
            head.append(_header(name, extra[name], encoding))
        elif values:
            head.append(_header(name, ", ".join(str(v) for v in values), encoding))
    if "date" not in lowered:
        when = date or formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        head.append(_header("Date", when, encoding))
    if "message-id" not in lowered:
        return None  # Django would make one up; ours always carry theirs
    head.extend(
        _header(name, value, encoding) for name, value in extra.items() if name.lower() not in _SKIP
    )
    dash = f"--{boundary}".encode()
    return b"".join(
        [*head, b"\r\n", dash, b"\r\n", text, b"\r\n", dash, b"\r\n", html, b"\r\n", dash,
         b"--\r\n"]
    )  # fmt: skip
