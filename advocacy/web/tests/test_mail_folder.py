"""The mail folder: the emails written as files, read back in the web UI, the CLI and the API."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command
from django.test import Client

from advocacy.messaging import mailfolder
from advocacy.people.models import ApiKey

pytestmark = pytest.mark.django_db
FILE = "django.core.mail.backends.filebased.EmailBackend"


@pytest.fixture
def folder(settings: Any, tmp_path: Any) -> Any:
    settings.EMAIL_BACKEND = FILE
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    with django_mail.get_connection() as connection:  # one conversation: one file, two emails
        first = EmailMultiAlternatives(
            "Quick favor? (2 minutes)",
            "Hi Ada,\nhttps://advocacy.example/portal/enter/TOKEN/\n",
            "Carla <carla@program.example>",
            ["ada@acme.example"],
            headers={"Message-ID": "<one@program.example>"},
            connection=connection,
        )
        first.attach_alternative("<p>Hi <b>Ada</b></p>", "text/html")
        first.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        second = EmailMultiAlternatives(
            "Following up", "Hi Bo,\n", "carla@program.example", ["bo@acme.example"],
            headers={"Message-ID": "<two@program.example>"}, connection=connection,
        )  # fmt: skip
        connection.send_messages([first, second])
    return tmp_path / "mail"


def test_the_folder_reads_back_newest_first(folder: Any) -> None:
    (file,) = folder.iterdir()
    second, first = mailfolder.entries()
    assert (first.key, second.key) == (f"{file.name}:0", f"{file.name}:1")
    assert (second.subject, second.to, second.message_id) == (
        "Following up", "bo@acme.example", "<two@program.example>",
    )  # fmt: skip
    assert first.sender == "Carla <carla@program.example>"
    assert "portal/enter/TOKEN/" in first.text
    assert first.html == "<p>Hi <b>Ada</b></p>"
    assert first.attachments == ("invite.ics",)
    assert mailfolder.entry(first.key) == first
    for forged in ("../mail:0", f"{file.name}:9", f"{file.name}:x", "nothing.log:0", ":0"):
        assert mailfolder.entry(forged) is None, forged


def test_the_pages_list_show_and_serve_the_html(client: Client, member: Any, folder: Any) -> None:
    client.force_login(member)
    outbox = client.get("/outbox/").content.decode()
    assert 'data-testid="mail-folder-link"' in outbox
    page = client.get("/outbox/mail/").content.decode()
    assert page.count('data-testid="mail-row"') == 2
    assert page.index("Following up") < page.index("Quick favor?")
    key = mailfolder.entries()[1].key
    one = client.get(f"/outbox/mail/{key}/").content.decode()
    assert "ada@acme.example" in one and "portal/enter/TOKEN/" in one
    html = client.get(f"/outbox/mail/{key}/html")
    assert html.status_code == 200 and html.content == b"<p>Hi <b>Ada</b></p>"
    assert client.get("/outbox/mail/nothing.log:0/").status_code == 404


def test_its_working_links_are_not_for_every_role(client: Client, viewer: Any, folder: Any) -> None:
    client.force_login(viewer)
    assert client.get("/outbox/mail/").status_code == 403
    assert 'data-testid="mail-folder-link"' not in client.get("/outbox/").content.decode()


def test_with_a_mail_server_there_is_no_folder(client: Client, member: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.force_login(member)
    assert 'data-testid="mail-folder-off"' in client.get("/outbox/mail/").content.decode()
    with pytest.raises(CommandError, match="not to a folder"):
        call_command("outbox", "folder")


def test_the_cli_lists_and_shows(folder: Any, member: Any, viewer: Any) -> None:
    out = io.StringIO()
    call_command("outbox", "folder", "--json", "--as", "member", stdout=out)
    listed = json.loads(out.getvalue())
    assert [e["subject"] for e in listed["emails"]] == ["Following up", "Quick favor? (2 minutes)"]
    out = io.StringIO()
    call_command("outbox", "folder", listed["emails"][1]["key"], stdout=out)
    assert "Subject: Quick favor? (2 minutes)" in out.getvalue()
    assert "portal/enter/TOKEN/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("outbox", "folder", "--as", "viewer")


def test_the_api_lists_and_shows(folder: Any, member: Any, viewer: Any) -> None:
    def api(user: Any) -> Client:
        _, secret = ApiKey.issue(user, "t", ["read", "customers:write"])
        return Client(headers={"Authorization": f"Bearer {secret}"})

    listed = api(member).get("/api/mail-folder").json()
    assert [e["from"] for e in listed["emails"]] == [
        "carla@program.example", "Carla <carla@program.example>",
    ]  # fmt: skip
    one = api(member).get(f"/api/mail-folder/{listed['emails'][1]['key']}").json()
    assert one["html"] == "<p>Hi <b>Ada</b></p>"
    assert api(member).get("/api/mail-folder/nothing.log:0").status_code == 404
    assert api(viewer).get("/api/mail-folder").status_code == 403
