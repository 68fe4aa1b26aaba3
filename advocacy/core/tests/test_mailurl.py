"""ADVOCACY_EMAIL_URL and ADVOCACY_QUIET_HOURS read into settings, or refused clearly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from advocacy.core.mailurl import parse_email_url
from advocacy.core.quiet import parse_quiet_hours


def test_smtp_with_starttls_and_an_encoded_password():
    got = parse_email_url("smtp://me%40corp.example:p%40ss%3Aword@smtp.example.com?starttls=true")
    assert got == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "me@corp.example",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtps_file_and_console():
    smtps = parse_email_url("smtps://u:p@mail.example:2465?timeout=12")
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_TIMEOUT"]) == (2465, True, 12)
    assert parse_email_url("smtp://127.0.0.1")["EMAIL_PORT"] == 25
    assert parse_email_url("file:///var/mail/advocacy") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/advocacy",
    }
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://x", "expected a URL starting smtp://"),
        ("//user:secret@host", "no scheme"),
        ("smtp://", "needs a host"),
        ("smtp://h:99999", "the port must be a number"),
        ("smtps://h?starttls=true", "choose one"),
        ("smtp://h?tls=maybe", "?tls= expects true or false"),
        ("smtp://h?retries=3", "unknown option ?retries="),
        ("file://relative/path", "absolute folder"),
    ],
)
def test_a_bad_url_says_what_was_expected(url, says):
    with pytest.raises(ValueError, match=None) as caught:
        parse_email_url(url)
    assert says in str(caught.value)
    assert "secret" not in str(caught.value)


def test_quiet_hours_across_midnight_and_within_a_day():
    night = parse_quiet_hours("20:00-08:00")
    paris = ZoneInfo("Europe/Paris")
    assert night.holds_until(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), paris) is None
    late = night.holds_until(dt.datetime(2026, 6, 1, 19, tzinfo=dt.UTC), paris)  # 21:00 there
    assert late == dt.datetime(2026, 6, 2, 8, tzinfo=paris)
    early = night.holds_until(dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC), paris)  # 06:00 there
    assert early == dt.datetime(2026, 6, 1, 8, tzinfo=paris)
    lunch = parse_quiet_hours("12:00-14:00")
    assert lunch.holds_until(dt.datetime(2026, 6, 1, 13, tzinfo=dt.UTC), ZoneInfo("UTC")) == (
        dt.datetime(2026, 6, 1, 14, tzinfo=ZoneInfo("UTC"))
    )
    assert parse_quiet_hours("off") is None
    for bad in ("20-08", "25:00-08:00", "08:00-08:00", "night"):
        with pytest.raises(ValueError):
            parse_quiet_hours(bad)
