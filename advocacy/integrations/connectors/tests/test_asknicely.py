"""AskNicely's response webhook: unsigned (the url's token), sent again with a higher count."""

from __future__ import annotations

import pytest
from django.utils import timezone

from advocacy.integrations.connectors.models import InboxRequest
from advocacy.integrations.connectors.services import ConnectorError, add_connection, replay
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db


def response(**change: object) -> dict[str, object]:
    return {
        "response_id": "77120",
        "person_id": "4410",
        "contact_id": "crm-9",
        "name": "Ada Lovelace",
        "email": "ada@acme.com",
        "answer": "9",
        "answerlabel": "Promoter",
        "data": "",
        "comment": "",
        "note": "",
        "status": "",
        "dontcontact": "0",
        "sent": "1764400000",
        "responded": "1764403600",
        "lastemailed": "1764400000",
        "survey_template": "default",
        "segment": "Enterprise",
        "count": 1,
    } | change


def test_a_response_is_one_signal(hook, ada):
    h = hook("asknicely")
    assert h.post(response()).status_code == 202
    s = Signal.objects.get()
    assert (s.source, s.key, s.value, s.contact_id) == ("asknicely", "77120", 9, ada.pk)


def test_the_highest_count_is_the_answer_kept(hook, ada):
    h = hook("asknicely")
    h.post(response())
    h.post(response(count=3, answer="7", comment="Slower lately"))
    h.post(response(count=2, comment="older edit"))  # arrives late: changes nothing
    s = Signal.objects.get()
    assert (s.value, s.text) == (7, "Slower lately")
    assert InboxRequest.objects.count() == 3


def test_the_same_count_again_is_a_duplicate(hook, ada):
    h = hook("asknicely")
    h.post(response())
    assert h.post(response()).json() == {"status": "duplicate"}
    assert replay(now=timezone.now()).created == 0
    assert Signal.objects.count() == 1


def test_no_secret_is_taken_the_token_authenticates(db):
    with pytest.raises(ConnectorError, match="does not sign its requests"):
        add_connection("asknicely", "x", secret="s", actor=None, now=timezone.now())


def test_a_wrong_token_is_refused(hook, client, ada):
    hook("asknicely")
    answer = client.post("/hooks/guess/", response(), content_type="application/json")
    assert (answer.status_code, Signal.objects.count(), InboxRequest.objects.count()) == (404, 0, 0)


def test_a_malformed_body_is_kept_with_its_error(hook, ada):
    h = hook("asknicely")
    assert h.post(response(answer="ten")).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert "not a whole-number score" in row.error


def test_the_person_id_finds_the_contact(hook, identity):
    identity("asknicely", "4410")
    h = hook("asknicely")
    h.post(response(email="someone@else.example"))
    assert Signal.objects.get().contact.email == "ada@acme.com"
