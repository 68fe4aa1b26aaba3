"""The API's documentation page: a valid OpenAPI document, served without a key twice, and the
Swagger page that reads it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from advocacy.api.tests.snapshot import current_schema


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An `object_pairs_hook` that refuses an object holding one key twice."""
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"duplicated keys: {', '.join(twice)}")
    return dict(pairs)


def test_the_hook_refuses_a_key_given_twice() -> None:
    with pytest.raises(ValueError, match="duplicated keys: 200"):
        json.loads('{"200": {}, "200": {"description": "x"}}', object_pairs_hook=no_duplicates)


def test_the_served_schema_holds_no_key_twice() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content, object_pairs_hook=no_duplicates)
    assert schema["openapi"] == "3.1.0"


def test_the_schema_is_a_valid_openapi_document() -> None:
    validate(current_schema())


def test_the_validator_refuses_a_broken_document() -> None:
    """The check above can fail: a response without its description is refused."""
    schema = current_schema()
    operation = schema["paths"]["/api/jobs/{job_id}/artefact"]["get"]
    del operation["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError, match='"description" is a required property'):
        validate(schema)


def test_a_document_answer_keeps_its_content_type_beside_the_errors() -> None:
    """The file answers (a PDF, a calendar invite, HTML) are one 200 each, with their type."""
    paths = current_schema()["paths"]
    artefact = paths["/api/jobs/{job_id}/artefact"]["get"]["responses"]
    assert artefact["200"] == {
        "description": "The file the job produced",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
    assert sorted(artefact) == ["200", "401", "403", "404", "422"]
    invite = paths["/api/references/calls/{call_id}/invite.ics"]["get"]["responses"]["200"]
    assert list(invite["content"]) == ["text/calendar"]
    started = paths["/api/advocates/refresh"]["post"]["responses"]["202"]
    assert started["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/JobOut"}}
    }
    assert list(started["headers"]) == ["Location"]


def test_the_docs_page_renders_and_reads_the_schema() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert '"url": "/api/openapi.json"' in page
    assert 'id="swagger-ui"' in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
