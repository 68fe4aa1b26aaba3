"""The OpenAPI schema: snapshot-tested, and fuzzed with schemathesis against the app."""

import importlib
import pkgutil

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from advocacy.api.tests.snapshot import SNAPSHOT, current_schema, render
from advocacy.customers.models import Account, Contact
from advocacy.signals.models import Signal

CHECKS = [not_a_server_error, response_schema_conformance]


def test_schema_matches_the_snapshot():
    """A change to the API shows up here.

    After a deliberate change: `python -m advocacy.api.tests.snapshot`, then review the diff.
    """
    assert render(current_schema()) == SNAPSHOT.read_text()


def test_schema_is_served():
    from django.test import Client

    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "advocacy"


@pytest.fixture
def keep_test_connection():
    """Keep the test's database connection across WSGI requests, as Django's test client does:
    closing it at the end of a request would lose the test transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def empty_playbook(settings, tmp_path):
    settings.PLAYBOOK_DIR = str(tmp_path)


@pytest.mark.django_db
def test_every_operation_survives_fuzzing(api, keep_test_connection, empty_playbook):
    """GIVEN a key with every scope WHEN schemathesis sends generated requests to every
    operation THEN none answers 5xx and every answer matches its documented schema.

    The playbook folder is empty: a simulation of a year of the shipped plays takes minutes,
    so runs and simulations are fuzzed on their refusals here, and on results in test_plays.
    """
    acme = Account.objects.create(name="Acme", domain="acme.com")
    ada = Contact.objects.create(account=acme, email="ada@acme.com")
    Signal.objects.create(
        source="s",
        key="k",
        kind="nps",
        account=acme,
        contact=ada,
        occurred_at="2026-01-01T00:00:00Z",
        value=9,
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    auth = {"Authorization": f"Bearer {api.secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    documented = [
        (path, method)
        for path, item in current_schema()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) == len(documented)  # every operation of the schema is fuzzed

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=auth)
            case.validate_response(response, checks=CHECKS, headers=auth)

        run()


def test_docs_page_loads_nothing_from_a_cdn():
    from django.test import Client

    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


def test_no_two_schemas_share_a_name() -> None:
    """The OpenAPI components are named after the schema classes: a second class of the same
    name would silently replace the first one's definition."""
    import inspect

    from ninja import Schema

    from advocacy.api import routers

    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"advocacy.api.routers.{info.name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Schema) and value.__module__ == module.__name__:
                if name in seen and seen[name] != module.__name__:
                    clashes.append((name, seen[name], module.__name__))
                seen[name] = module.__name__
    assert clashes == []


def _free_strings(node: object, where: str):
    """Every string schema under `node` that takes any text: no enum, no format, no pattern."""
    if isinstance(node, dict):
        if (
            node.get("type") == "string"
            and "enum" not in node
            and "pattern" not in node
            and "format" not in node
        ):
            yield where
        for key, value in node.items():
            yield from _free_strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _free_strings(value, f"{where}[{index}]")


def _inputs(schema: dict):
    """(where, schema) of every parameter and request body, with the components they use."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()

    def expand(node: object):
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    yield name, components[name]
                    yield from expand(components[name])
            for value in node.values():
                yield from expand(value)
        elif isinstance(node, list):
            for value in node:
                yield from expand(value)

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                where = f"{method} {path} {parameter['in']} {parameter['name']}"
                yield where, parameter["schema"]
                yield from expand(parameter["schema"])
            body = operation.get("requestBody")
            if body:
                yield from expand(body)


# Strings that are parsed into numbers before they reach the database.
PARSED = {"AccountIn.properties.arr.anyOf[1]", "RequestIn.properties.amount.anyOf[1]"}


def test_no_input_string_can_carry_a_nul() -> None:
    """PostgreSQL refuses NUL in text and answers a server error, so every free-text input
    (parameter or body field) carries the schema's no-NUL pattern and is refused at the door."""
    free = {
        spot for where, node in _inputs(current_schema()) for spot in _free_strings(node, where)
    }
    assert free - PARSED == set()


def _moments_not_in_utc(annotation: object, converted: bool = False) -> bool:
    """Whether the annotation holds a datetime that no `_in_utc` validator converts."""
    import typing
    from datetime import datetime

    from pydantic.functional_validators import AfterValidator

    from advocacy.api.schemas import _in_utc

    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        utc = any(isinstance(e, AfterValidator) and e.func is _in_utc for e in extras)
        return _moments_not_in_utc(base, converted or utc)
    if isinstance(annotation, type) and issubclass(annotation, datetime):
        return not converted
    return any(_moments_not_in_utc(arg, converted) for arg in typing.get_args(annotation))


def test_every_input_moment_is_taken_as_utc() -> None:
    """PostgreSQL keeps offsets to ±15:59 and ISO 8601 allows ±23:59: a moment kept with its
    offset would be refused by the database, a server error. Every moment a client sends is
    turned into UTC by the schema (`Instant`, `UtcInstant`, `Moment`), or refused there."""
    import inspect

    from ninja import Schema

    from advocacy.api import routers

    kept = []
    for info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"advocacy.api.routers.{info.name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(value, Schema) and value.__module__ == module.__name__):
                continue
            if name.endswith("Out"):
                continue  # what the API answers
            for field, spec in value.model_fields.items():
                annotation = spec.rebuild_annotation()
                if _moments_not_in_utc(annotation):
                    kept.append(f"{name}.{field}")
    assert kept == []
