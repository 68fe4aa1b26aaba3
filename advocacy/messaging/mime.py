"""The bytes of an email as the SMTP backend sends them, with the plain headers written as is.

Django's mail framework builds every email on the standard library's `compat32` policy, whose
generator folds each header through `email.header.Header.encode`, even a short ASCII one that
needs no folding: most of the cost of an email's bytes. `Plain32` writes such a header
(printable ASCII, no line break, within the 78-character line of RFC 5322 with its name) as
`Name: value`, which is what `Header.encode` returns for it (a test compares the two), and
hands every other header (longer, non-ASCII, with a line break) to `compat32` unchanged, so it
is folded or encoded exactly as before.

`envelope_address` is Django's `sanitize_address` with the same kind of shortcut: a bare
address of plain ASCII atoms (`ada.lovelace@example.com`) is what it returns for it unchanged;
anything else (a display name, a quoted or non-ASCII part) goes through it.
"""

from __future__ import annotations

import re
from email.generator import BytesGenerator
from email.message import Message as MimeMessage
from email.policy import Compat32
from io import BytesIO
from typing import Any

from django.core.mail.message import sanitize_address

_PLAIN = re.compile(r"[\x20-\x7e]*")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_BARE = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")


class Plain32(Compat32):
    """`compat32`, with the headers that need neither folding nor encoding written as they are."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
            and _PLAIN.fullmatch(value)
        ):
            return f"{name}: {value}{self.linesep}"
        return str(super()._fold(name, value, sanitize))  # type: ignore[misc]


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
