"""Every route of the web UI, the API and the CLI, for every role: refused exactly when the
permission table says so; and every page of the advocate portal, refused to all but the
advocate whose portal session it is.

The routes come from the URLconf, the OpenAPI schema and the CLI's parsers, not from a list
kept by hand, so a new route without a rule fails here. A refusal is 403 (the CLI: an error
naming who may); an allowed call may still fail for its own reasons (no such id: 404; an empty
form: 422), but never with 403.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from advocacy.api.access import OPERATIONS
from advocacy.api.main import api
from advocacy.customers.models import Account, Contact
from advocacy.messaging.links import link_path
from advocacy.people.models import ApiKey, Role, Scope, User
from advocacy.people.permissions import CLI, TABLE, Action
from advocacy.portal.urls import LINK_ROUTES, OPEN_ROUTES
from advocacy.web.access import PUBLIC, ROUTES, action_for

ROLES = [role.value for role in Role]
MISSING = 999_999


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(role: str) -> User:
    user = User.objects.create_user(f"as-{role}", f"{role}@example.com", "pw", role=role)
    return user


def web_routes() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each named route of the web namespace, with arguments that name nothing."""
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "web"
    )
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        kwargs: dict[str, Any] = {}
        for name, converter in pattern.pattern.converters.items():
            kind = type(converter).__name__
            kwargs[name] = MISSING if kind == "IntConverter" else "no-such-thing"
        if pattern.default_args:
            kwargs = {k: v for k, v in kwargs.items() if k not in pattern.default_args}
        assert pattern.name, f"unnamed web route {pattern.pattern}"
        yield pattern.name, kwargs


def test_every_web_route_has_a_rule() -> None:
    names = {name for name, _ in web_routes()}
    missing = sorted(names - set(ROUTES) - PUBLIC)
    assert missing == [], f"web routes without an access rule in advocacy/web/access.py: {missing}"
    assert sorted(set(ROUTES) - names) == [], "rules for web routes that do not exist"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_web_routes_for_each_role(role: str) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(_user(role))
    checked = 0
    for name, kwargs in web_routes():
        if name in PUBLIC:
            continue
        url = reverse(f"web:{name}", kwargs=kwargs)
        for method in ("GET", "POST"):
            action = action_for(name, method)
            assert action is not None
            response = client.get(url) if method == "GET" else client.post(url, {})
            may = role in TABLE[action].roles
            assert (response.status_code == 403) is not may, (
                f"{role} {method} {url} ({action.value}): {response.status_code}"
            )
            checked += 1
    assert checked > 100


def api_operations() -> Iterator[tuple[str, str, str]]:
    """(method, path with dummy parameters, operation id) of every operation in the schema."""
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            concrete = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    kind = parameter["schema"].get("type")
                    value = str(MISSING) if kind == "integer" else "no-such-thing"
                    concrete = concrete.replace("{" + parameter["name"] + "}", value)
            yield method.upper(), concrete, operation["operationId"]


def test_every_api_operation_has_a_rule() -> None:
    ids = {op for _, _, op in api_operations()}
    assert sorted(ids - set(OPERATIONS)) == []
    assert sorted(set(OPERATIONS) - ids) == [], "rules for API operations that do not exist"


def _call(client: Client, method: str, path: str, **headers: str) -> Any:
    return client.generic(method, path, "{}", content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_operations_for_each_role_in_a_session(role: str) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(_user(role))
    for method, path, operation_id in api_operations():
        action = OPERATIONS[operation_id]
        response = _call(client, method, path)
        may = role in TABLE[action].roles
        assert (response.status_code == 403) is not may, (
            f"{role} {method} {path} ({action.value}): {response.status_code}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_key_with_every_scope_never_exceeds_its_users_role(role: str) -> None:
    _, secret = ApiKey.issue(_user(role), "everything", list(Scope.values))
    client = Client(raise_request_exception=True)
    for method, path, operation_id in api_operations():
        action = OPERATIONS[operation_id]
        response = _call(client, method, path, Authorization=f"Bearer {secret}")
        may = role in TABLE[action].roles
        assert (response.status_code == 403) is not may, f"{role} key {method} {path}"


@pytest.mark.django_db
def test_a_key_needs_the_scope_as_well_as_the_role() -> None:
    _, secret = ApiKey.issue(_user("admin"), "read only", [Scope.READ])
    client = Client(raise_request_exception=True)
    for method, path, operation_id in api_operations():
        scope = TABLE[OPERATIONS[operation_id]].scope
        response = _call(client, method, path, Authorization=f"Bearer {secret}")
        assert (response.status_code == 403) is (scope != Scope.READ), f"{method} {path}"


COMMANDS = sorted({command for command, _ in CLI})


def cli_subcommands() -> Iterator[tuple[str, str, list[str]]]:
    """(command, subcommand, arguments that name nothing) of every subcommand taking --as;
    a command without subcommands is its own, named ""."""
    for command in COMMANDS:
        parser = load_command_class(_app_of(command), command).create_parser("advocacy", command)
        subparsers = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        choices = subparsers.choices.items() if subparsers is not None else [("", parser)]
        for name, sub in choices:
            flags = {flag for action in sub._actions for flag in action.option_strings}
            if "--as" not in flags:
                continue
            args: list[str] = []
            for action in sub._actions:
                if action.option_strings and not action.required:
                    continue
                value = str(MISSING) if action.type is int else "no-such-thing"
                if action.choices:
                    value = str(next(iter(action.choices)))
                args += [*action.option_strings[:1], value]
            yield command, name, args


def _app_of(command: str) -> str:
    app: str = get_commands()[command]
    return app


def test_every_cli_subcommand_with_as_has_a_rule() -> None:
    seen = {(command, sub) for command, sub, _ in cli_subcommands()}
    assert sorted(seen - set(CLI)) == [], "CLI subcommands taking --as without a rule"
    assert sorted(set(CLI) - seen) == [], "CLI rules for subcommands that take no --as"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_cli_subcommands_for_each_role(role: str) -> None:
    user = _user(role)
    for command, sub, args in cli_subcommands():
        action = CLI.get((command, sub), Action.VIEW)
        may = role in TABLE[action].roles
        try:
            call_command(command, *([sub] if sub else []), *args, "--as", user.username)
        except CommandError as exc:
            refused = "may not" in str(exc)
        except SystemExit:
            refused = False
        else:
            refused = False
        assert refused is not may, f"{role}: advocacy {command} {sub} ({action.value})"


def portal_routes() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each named route of the portal namespace, with arguments that name nothing."""
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "portal"
    )
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern) and pattern.name
        kwargs: dict[str, Any] = {}
        for name, converter in pattern.pattern.converters.items():
            kind = type(converter).__name__
            kwargs[name] = MISSING if kind == "IntConverter" else "no-such-thing"
        yield pattern.name, kwargs


def _portal_client() -> Client:
    """A browser holding the portal session of a contact, as a redeemed link leaves it."""
    account = Account.objects.create(name="Acme", domain="acme.example")
    contact = Contact.objects.create(account=account, email="ann@acme.example")
    client = Client(raise_request_exception=True)
    assert client.post(link_path(contact.pk)).status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_portal_page_needs_a_portal_session(role: str) -> None:
    """Staff of every role, and nobody at all, get the page that says a link is needed: a staff
    login never opens the portal as some contact."""
    client = Client(raise_request_exception=True)
    if role != "anonymous":
        client.force_login(_user(role))
    checked = 0
    for name, kwargs in portal_routes():
        if name in LINK_ROUTES | OPEN_ROUTES:
            continue
        url = reverse(f"portal:{name}", kwargs=kwargs)
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else client.post(url, {})
            assert response.status_code in (403, 405), f"{role} {method} {url}"
            if response.status_code == 403:
                assert b'data-testid="need-link"' in response.content, f"{role} {method} {url}"
                checked += 1
    assert checked >= 12


@pytest.mark.django_db
def test_a_portal_session_reaches_no_staff_page_and_no_api_operation() -> None:
    client = _portal_client()
    assert client.get(reverse("portal:home")).status_code == 200
    for name, kwargs in web_routes():
        if name in PUBLIC:
            continue
        url = reverse(f"web:{name}", kwargs=kwargs)
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, f"{url}: {response.status_code}"
            assert response["Location"].startswith("/login/"), url
    for method, path, _ in api_operations():
        assert _call(client, method, path).status_code == 401, f"{method} {path}"
