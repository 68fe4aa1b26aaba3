"""An email's bytes with the plain headers written as is are the bytes Django's own
`as_bytes` gives: short headers unchanged, long ones folded and non-ASCII ones encoded as
before (RFC 5322, RFC 2047)."""

from __future__ import annotations

import string
import uuid
from email.policy import compat32

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from hypothesis import given
from hypothesis import strategies as st

from advocacy.messaging.mime import SMTP_POLICY, envelope_address, wire_bytes

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
    st.text(alphabet=string.printable + "\u00e9\u2014", max_size=90),
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
