"""A NUL character in a link or a form is refused with a 400 page, never a server error."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/audit/", {"actor": "a\x00b"}),
        ("get", "/outbox/", {"status": "\x00"}),
        ("get", "/contacts/", {"q\x00": "x"}),
        ("post", "/login/", {"username": "demo\x00", "password": "x"}),
    ],
)
def test_nul_is_refused_with_a_page(client, owner, method, path, data):
    client.force_login(owner)
    response = getattr(client, method)(path, data)
    assert response.status_code == 400
    assert b'data-testid="error-400"' in response.content
    assert b"Nothing was changed" in response.content


@pytest.mark.django_db
def test_the_api_names_the_field_instead(client, owner):
    client.force_login(owner)
    response = client.get("/api/audit", {"actor": "a\x00b"})
    assert response.status_code == 422
    assert "actor" in response.content.decode()
