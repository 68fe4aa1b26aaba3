"""A path the API has no route for answers JSON, not the web UI's HTML page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/contacts/abc/next-best-asks", "/api/asks/1.5/transitions", "/api/nothing-here"],
)
def test_an_unmatched_api_path_is_a_json_404(path: str) -> None:
    response = Client().get(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": f"no such resource: {path}"}


def test_an_unmatched_page_is_the_web_uis_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
