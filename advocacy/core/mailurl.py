"""ADVOCACY_EMAIL_URL: where email goes, in one URL, read into Django's email settings.

    smtp://user:password@host:587?starttls=true   SMTP, upgraded with STARTTLS (or ?tls=true)
    smtps://user:password@host:465                SMTP over TLS from the first byte
    smtp://127.0.0.1:1025                         a local relay, no login
    file:///var/lib/advocacy/mail                 each message written as a file in that folder
    console://                                    each message printed on standard output

A user name or password with `@`, `:` or `/` in it is percent-encoded (`%40`). `?timeout=30`
sets the seconds a connection may hang. Anything else is refused with what was expected.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SCHEMES = ("smtp", "smtps", "file", "console")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(query: dict[str, list[str]], name: str) -> bool:
    values = query.get(name)
    if not values:
        return False
    value = values[-1].lower()
    if value in _TRUE or value == "":
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"?{name}= expects true or false, found {values[-1]!r}")


def parse_email_url(url: str) -> dict[str, Any]:
    """Django settings (EMAIL_BACKEND, EMAIL_HOST...) for `url`; ValueError if unreadable."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(
            "expected a URL starting smtp://, smtps://, file:// or console://, found "
            f"{scheme + '://' if scheme else 'no scheme'} (for an email service's API, see "
            "django-anymail in docs/settings.md)"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    known = {"tls", "starttls", "ssl", "timeout"}
    unknown = sorted(set(query) - known)
    if unknown:
        raise ValueError(f"unknown option ?{unknown[0]}=; known: {', '.join(sorted(known))}")
    out: dict[str, Any] = {}
    if "timeout" in query:
        try:
            timeout = int(query["timeout"][-1])
        except ValueError:
            raise ValueError("?timeout= expects whole seconds") from None
        if timeout < 1:
            raise ValueError("?timeout= expects at least 1 second")
        out["EMAIL_TIMEOUT"] = timeout
    if scheme == "console":
        return {**out, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/"):
            raise ValueError("a file URL names an absolute folder: file:///var/mail/advocacy")
        return {
            **out,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": path,
        }
    if not parts.hostname:
        raise ValueError(f"{scheme}:// needs a host: {scheme}://user:password@host:port")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    ssl = scheme == "smtps" or _flag(query, "ssl")
    starttls = _flag(query, "tls") or _flag(query, "starttls")
    if ssl and starttls:
        raise ValueError("choose one: smtps:// (TLS from the start) or ?starttls=true")
    return {
        **out,
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if ssl else 587 if starttls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": starttls,
    }
