"""The words a code reads as: the one place the staff UI, the CLI and the reports turn a stored
code (`csm_nomination`, `power_user`, `advocate_review`, `mid_market`) into a label.

Each app registers the vocabularies it owns in its `AppConfig.ready()` (`register("persona",
Persona.choices)`); `label(code, "persona")` then reads "Power user". A code no vocabulary
knows still reads as words, never as a code: underscores and hyphens become spaces, the first
word is capitalised and the acronyms the program uses stay upper case ("csm_nomination" reads
"CSM nomination"). The web UI reaches it through the `label` template filter
(`advocacy/web/templatetags/web.py`), the commands call it directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

EMPTY = "—"
# Words kept as they are written, whatever their case in the code.
WORDS = {
    "am": "AM",
    "api": "API",
    "cli": "CLI",
    "crm": "CRM",
    "csat": "CSAT",
    "csm": "CSM",
    "cs": "CS",
    "g2": "G2",
    "id": "ID",
    "nps": "NPS",
    "pdf": "PDF",
    "qbr": "QBR",
    "roi": "ROI",
    "saas": "SaaS",
    "smb": "SMB",
    "sms": "SMS",
    "url": "URL",
}

_vocabularies: dict[str, dict[str, str]] = {}


def register(vocabulary: str, choices: Iterable[tuple[str, str]]) -> None:
    """Give the codes of `vocabulary` their labels (a model's `TextChoices.choices`); a later
    registration of the same code replaces the earlier one."""
    _vocabularies.setdefault(vocabulary, {}).update((str(c), str(w)) for c, w in choices)


def vocabulary(name: str) -> Mapping[str, str]:
    """The labels registered under `name` (empty when none are)."""
    return _vocabularies.get(name, {})


def humanize(code: str) -> str:
    """A code no vocabulary knows, as words: "power_user" reads "Power user"."""
    words = [w for w in code.replace("-", " ").replace("_", " ").split(" ") if w]
    if not words:
        return EMPTY
    shown = [WORDS.get(w.lower(), w.lower()) for w in words]
    if shown[0] == words[0].lower():  # not an acronym: the first word starts upper case
        shown[0] = shown[0].capitalize()
    return " ".join(shown)


def label(code: object, vocabulary_name: str = "", names: Mapping[str, str] | None = None) -> str:
    """How `code` reads: its name in `names` (plays' titles, people's names, looked up by the
    caller in one query), else its label in the vocabulary, else its words; "—" when empty."""
    if code is None or code == "":
        return EMPTY
    text = str(code)
    if names and text in names:
        return names[text]
    found = _vocabularies.get(vocabulary_name, {}).get(text) if vocabulary_name else None
    return found or humanize(text)


def person(user: object) -> str:
    """A staff user as the team knows them: the full name where there is one, else the
    username; empty for nobody (the caller says what nobody reads as)."""
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "get_username", lambda: str(user))())
