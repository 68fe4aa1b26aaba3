"""The mail folder: the emails the program wrote as files, for reading them back.

With `ADVOCACY_EMAIL_URL=file:///some/folder` (the demo's default) nothing goes to a mail
server: Django's file backend writes each conversation into a file of the folder, the emails one
after another, each followed by a line of 79 dashes. This reads them back, newest first, so that
whoever tries the program sees what it sent (the Outbox page links here; `advocacy outbox
folder`; `GET /api/mail-folder`).

    enabled() -> bool                      # the file backend is the one configured
    entries(limit) -> list[Entry]          # the newest emails, parsed
    entry(key) -> Entry | None             # one, by its key ("<file>:<n>")
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 200  # the newest files read; a folder of a long run holds thousands


@dataclass(frozen=True)
class Entry:
    key: str  # "<file name>:<position in it>"
    file: str
    message_id: str
    sender: str
    to: str
    subject: str
    date: str
    text: str
    html: str
    attachments: tuple[str, ...]

    @property
    def moment(self) -> datetime | None:
        """Its Date header as a moment, for showing; None when it has none that reads."""
        try:
            return datetime.fromisoformat(self.date) if self.date else None
        except ValueError:
            return None

    def as_dict(self, *, bodies: bool = False) -> dict[str, object]:
        row: dict[str, object] = {
            "key": self.key,
            "file": self.file,
            "message_id": self.message_id,
            "from": self.sender,
            "to": self.to,
            "subject": self.subject,
            "date": self.date,
            "attachments": list(self.attachments),
        }
        if bodies:
            row.update(text=self.text, html=self.html)
        return row


def enabled() -> bool:
    return bool(settings.EMAIL_BACKEND == FILE_BACKEND)


def folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def _files() -> list[Path]:
    if not enabled() or not folder().is_dir():
        return []
    found = sorted(
        (p for p in folder().iterdir() if p.is_file() and p.suffix == ".log"),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    return found[:MAX_FILES]


def _parse(path: Path) -> list[Entry]:
    chunks = [c.strip(b"\r\n") for c in path.read_bytes().split(SEPARATOR)]
    parsed = []
    for n, chunk in enumerate(c for c in chunks if c):
        mail = email.message_from_bytes(chunk, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        parsed.append(_entry(f"{path.name}:{n}", path.name, mail))
    return parsed


def _part(mail: EmailMessage, kind: str) -> str:
    body = mail.get_body((kind,))
    return str(body.get_content()) if body is not None else ""


def _entry(key: str, file: str, mail: EmailMessage) -> Entry:
    when = mail.get("Date", "")
    try:
        date = parsedate_to_datetime(str(when)).isoformat() if when else ""
    except (TypeError, ValueError):
        date = str(when)
    return Entry(
        key=key,
        file=file,
        message_id=str(mail.get("Message-ID", "")),
        sender=str(mail.get("From", "")),
        to=str(mail.get("To", "")),
        subject=str(mail.get("Subject", "")),
        date=date,
        text=_part(mail, "plain"),
        html=_part(mail, "html"),
        attachments=tuple(
            str(part.get_filename() or part.get_content_type()) for part in mail.iter_attachments()
        ),
    )


def entries(limit: int = 100) -> list[Entry]:
    """The newest emails of the folder, newest first (within a file, the last written first)."""
    found: list[Entry] = []
    for path in _files():
        found.extend(reversed(_parse(path)))
        if len(found) >= limit:
            break
    return found[:limit]


def entry(key: str) -> Entry | None:
    """One email by its key; None for a key that names no email of the folder (or a path)."""
    name, _, position = key.rpartition(":")
    if not enabled() or not name or "/" in name or "\\" in name or not position.isdigit():
        return None
    path = folder() / name
    if path.suffix != ".log" or not path.is_file():
        return None
    parsed = _parse(path)
    index = int(position)
    return parsed[index] if index < len(parsed) else None


def key_of(message_id: str) -> str | None:
    """The key of the email with this Message-ID among the newest ones, if it is there."""
    if not message_id:
        return None
    return next((e.key for e in entries(500) if e.message_id == message_id), None)
