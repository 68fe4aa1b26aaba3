"""An email's bytes with the plain headers written as is are the bytes Django's own
`as_bytes` gives: short headers unchanged, long ones folded and non-ASCII ones encoded as
before (RFC 5322, RFC 2047)."""

from __future__ import annotations

import re
import string
import uuid
from email.policy import compat32

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from hypothesis import event, given
from hypothesis import strategies as st

from advocacy.messaging.mime import (
    SMTP_POLICY,
    _too_long,
    envelope_address,
    fast_wire,
    wire_bytes,
)

NAMES = ["Subject", "From", "Reply-To", "Message-ID", "List-Unsubscribe", "X-A"]
LONG = "https://advocacy.example/unsubscribe/" + "x" * 60 + "/"


def email(subject: str, from_email: str, headers: dict[str, str]) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=subject,
        body="Hi Ada,\n\nFrom the team: a line long enough " + "word " * 40 + "\n",
        from_email="advocacy@example.com",
        to=["Ada O'Neil <ada@example.com>"],
        headers={"From": from_email, "Message-ID": "<m1@advocacy.example>", **headers},
    )
    mail.attach_alternative("<p>Hi Ada, caf\u00e9</p>", "text/html")
    return mail


CASES = [
    email("Quick favor?", "Grace <grace@example.com>", {}),
    email(
        "A subject long enough to be folded across more than one line of seventy-eight "
        "characters, with words",
        "Grace Hopper from the Advocacy Program <grace@example.com>",
        {
            "List-Unsubscribe": f"<mailto:unsubscribe+abc@example.com>, <{LONG}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ),
    email("Caf\u00e9 cr\u00e8me, s'il vous pla\u00eet", "Ren\u00e9e <renee@example.com>", {}),
    email("Tab\tand  two spaces ", "grace@example.com", {"X-Empty": ""}),
]


@pytest.mark.parametrize("mail", CASES)
def test_the_bytes_are_djangos_bytes(mail):
    mime = mail.message()
    mime.set_boundary(f"=_{uuid.uuid4().hex}")

    assert wire_bytes(mime) == mime.as_bytes(linesep="\r\n")


def test_a_long_header_is_still_folded():
    mime = CASES[1].message()

    head = wire_bytes(mime).split(b"\r\n\r\n", 1)[0].split(b"\r\n")

    assert b"Subject: A subject long enough to be folded across more than one line of" in head
    assert b"List-Unsubscribe: <mailto:unsubscribe+abc@example.com>," in head
    assert f" <{LONG}>".encode() in head  # a word longer than a line stays whole
    assert [line for line in head if len(line) > 78] == [f" <{LONG}>".encode()]


@given(
    st.sampled_from(NAMES),
    st.one_of(
        st.text(alphabet=string.printable + "\u00e9\u2014", max_size=90),
        # Long plain values, thick with what folding decides on: the shortcut's ground.
        st.text(
            alphabet=st.sampled_from([*string.printable[:95], " ", ",", ";", "\t", "x", "("]),
            min_size=60,
            max_size=300,
        ),
        st.builds(
            lambda token, url: f"<mailto:unsubscribe+{token}@example.com>, <{url}{token}/>",
            st.text(alphabet=string.ascii_letters + string.digits + ":-_", max_size=90),
            st.sampled_from(["https://a.example/u/", "https://advocacy.example/unsubscribe/"]),
        ),
    ),
)
def test_a_header_is_folded_as_compat32_folds_it(name, value):
    try:
        expected = compat32.clone(linesep="\r\n").fold_binary(name, value)
    except Exception as exc:  # what compat32 refuses, the policy refuses alike
        with pytest.raises(type(exc)):
            SMTP_POLICY.fold_binary(name, value)
        return

    assert SMTP_POLICY.fold_binary(name, value) == expected


ATOM = st.text(alphabet=string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-.", min_size=1)
LABEL = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=70)


@given(
    st.one_of(
        st.builds(lambda a, b: f"{a}@{b}", ATOM, st.lists(LABEL, min_size=1).map(".".join)),
        st.text(alphabet=string.printable + "\u00e9", max_size=40),
        st.sampled_from(["Ada <ada@example.com>", "ada@caf\u00e9.example", '"a b"@x.example']),
    )
)
def test_an_envelope_address_is_djangos(address):
    try:
        expected = sanitize_address(address, "utf-8")
    except Exception as exc:  # what Django refuses is refused alike
        with pytest.raises(type(exc)):
            envelope_address(address, "utf-8")
        return

    assert envelope_address(address, "utf-8") == expected


# The whole email written directly (`fast_wire`) is the slow path's bytes ----------------------

DATE = "Wed, 02 Dec 2026 17:00:00 -0000"
BODY = st.lists(
    st.sampled_from([*string.printable, "\u00e9", "\u2014", "\r\n", "\u2028", "\ud800"]),
    min_size=1,
    max_size=300,
).map("".join)
# Header values of every kind but multi-line ones (Django refuses those, a case of its own).
HEADER = st.text(alphabet=string.printable.strip("\n\r\x0b\x0c") + " \u00e9", max_size=120)


def slow_wire(mail: EmailMultiAlternatives, boundary: str, monkeypatch) -> bytes:
    monkeypatch.setattr("django.core.mail.message.formatdate", lambda localtime=False: DATE)
    mime = mail.message()
    mime.set_boundary(boundary)
    return wire_bytes(mime)


@pytest.mark.parametrize("mail", CASES)
def test_the_whole_email_written_directly_is_the_slow_paths(mail, monkeypatch):
    boundary = f"=_{uuid.uuid4().hex[:24]}"

    fast = fast_wire(mail, boundary, DATE)

    assert fast is not None
    assert fast == slow_wire(mail, boundary, monkeypatch)


@given(
    subject=HEADER,
    from_email=st.sampled_from(
        ["grace@example.com", "Grace Hopper <grace@example.com>", "Ren\u00e9e <renee@example.com>"]
    ),
    to=st.sampled_from(
        ["ada@example.com", "Ada O'Neil <ada@example.com>", "caf\u00e9@example.com"]
    ),
    text=BODY,
    html=BODY,
    unsubscribe=HEADER,
    long_line=st.booleans(),
)
def test_any_email_of_the_outboxs_shape_is_the_slow_paths_bytes(
    subject, from_email, to, text, html, unsubscribe, long_line
):
    if long_line:
        text += "x" * 1000
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email="advocacy@example.com",
        to=[to],
        headers={
            "From": from_email,
            "Reply-To": from_email,
            "Message-ID": "<m1@advocacy.example>",
            "List-Unsubscribe": unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    mail.attach_alternative(html, "text/html")
    boundary = f"=_{uuid.uuid4().hex[:24]}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        try:
            expected = slow_wire(mail, boundary, monkeypatch)
        except Exception as exc:  # what Django refuses is refused, or left to Django to refuse
            try:
                assert fast_wire(mail, boundary, DATE) is None
            except type(exc):
                pass
            return

    fast = fast_wire(mail, boundary, DATE)

    event("fast path" if fast is not None else "slow path")
    if long_line:
        assert fast is None  # quoted-printable: the slow path writes it
    else:
        assert fast == expected


def test_another_shape_is_left_to_the_slow_path():
    plain = EmailMultiAlternatives("Hi", "body", "a@example.com", ["b@example.com"])
    with_file = email("Hi", "a@example.com", {})
    with_file.attach("invite.ics", b"BEGIN:VCALENDAR", "application/ics")

    assert fast_wire(plain, "=_b", DATE) is None  # no HTML alternative
    assert fast_wire(with_file, "=_b", DATE) is None


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=1200), st.sampled_from(["\r\n", "\n", "\r"])),
        max_size=4,
    ),
    st.integers(min_value=0, max_value=1200),
)
def test_a_line_too_long_is_found_as_the_regular_expression_finds_it(lines, last):
    data = b"".join(b"y" * n + end.encode() for n, end in lines) + b"z" * last
    assert _too_long(data) is bool(re.search(rb"[^\r\n]{999}", data))


def test_a_line_of_998_bytes_is_not_too_long_and_one_of_999_is():
    assert _too_long(b"a\r\n" + b"x" * 998 + b"\r\nb") is False
    assert _too_long(b"a\r\n" + b"x" * 999 + b"\r\nb") is True
    assert _too_long(b"x" * 999) is True
