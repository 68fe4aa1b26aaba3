"""Every 404 and 405 under /api/ is JSON, not an HTML page: a path no route matches, an id a
path converter refuses, a method a route does not serve; with DEBUG on as well as off."""

from __future__ import annotations

import re
from functools import cache

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from advocacy.api.main import api

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _api_routes() -> list[str]:
    """Every route the API serves, as Django spells it (`api/asks/<int:ask_id>`), once each."""

    def walk(patterns: list, prefix: str) -> list[str]:
        found: list[str] = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append(prefix + str(entry.pattern))
        return found

    routes = [r for r in walk(get_resolver().url_patterns, "") if r.startswith("api/")]
    not_operations = {"api/", "api/openapi.json", "api/docs"}  # ninja's home, schema, docs page
    return list(dict.fromkeys(r for r in routes if r not in not_operations))


ROUTES = _api_routes()
ID_ROUTES = [route for route in ROUTES if "<int:" in route]


def _path(route: str, *, int_value: str) -> str:
    return "/" + CONVERTER.sub(lambda m: int_value if m.group(1) == "int" else "x", route)


@cache
def _schema_paths() -> dict:
    return api.get_openapi_schema()["paths"]


def _allowed(route: str) -> set[str]:
    """The methods the OpenAPI schema lists for the route."""
    openapi = "/" + CONVERTER.sub(lambda m: "{" + m.group(2) + "}", route)
    return {method.upper() for method in _schema_paths()[openapi]}


def test_every_router_is_covered() -> None:
    """Each router's mount point appears among the routes the tests below walk."""
    mounts = {route.split("/")[1] for route in ROUTES}
    assert mounts == {
        "accounts",
        "advocates",
        "agreements",
        "asks",
        "audit",
        "checklists",
        "connections",
        "contacts",
        "content",
        "imports",
        "inbox",
        "jobs",
        "keys",
        "mail-folder",
        "me",
        "messages",
        "metrics",
        "notices",
        "plays",
        "product-events",
        "queue",
        "recognition",
        "references",
        "referrals",
        "reviews",
        "rewards",
        "routing-rules",
        "search",
        "signals",
        "slack",
        "users",
        "value",
        "webhooks",
        "write-backs",
    }
    assert len(ID_ROUTES) >= 30


@pytest.mark.parametrize("route", ID_ROUTES)
def test_a_non_integer_id_is_a_json_404(route: str) -> None:
    path = _path(route, int_value="abc")
    response = Client().get(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": f"no such resource: {path}"}


@pytest.mark.parametrize("route", ROUTES)
def test_a_method_the_route_does_not_serve_is_a_json_405(route: str) -> None:
    allowed = _allowed(route)
    method = next(m for m in METHODS if m not in allowed)
    path = _path(route, int_value="1")
    response = Client().generic(method, path)
    assert (response.status_code, response["Content-Type"]) == (405, "application/json")
    listed = ", ".join(sorted(allowed))
    assert response.json() == {
        "detail": f"method {method} is not allowed on {path}; allowed: {listed}"
    }
    assert response["Allow"] == listed


@pytest.mark.parametrize(
    "path",
    ["/api/contacts/abc/next-best-asks", "/api/asks/1.5/transitions", "/api/nothing-here"],
)
@pytest.mark.parametrize("debug", [False, True])
def test_an_unmatched_api_path_is_a_json_404(settings, path: str, debug: bool) -> None:
    settings.DEBUG = debug
    response = Client().get(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": f"no such resource: {path}"}


def test_the_apis_own_404_keeps_its_sentence(client: Client, member) -> None:
    client.force_login(member)
    response = client.get("/api/asks/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Ask matches the given query."}


def test_an_unmatched_page_is_the_web_uis_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
