import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

API_PREFIX = "api/v1/"
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def routes(patterns=None, prefix=""):
    """Every route of the URL conf, as written there ("api/v1/conversations/<uuid:...>/")."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def api_routes() -> set[str]:
    """The URL conf's /api/v1/ routes as OpenAPI paths ("{conversation_id}")."""
    return {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        for route in routes()
        if route.startswith(API_PREFIX)
    } - NOT_OPERATIONS


def test_every_api_route_is_in_the_document(document):
    assert api_routes() - set(document["paths"]) == set()


def test_every_documented_path_is_routed(document):
    assert set(document["paths"]) - api_routes() == set()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_operation_declares_the_error_shape_for_401(document):
    missing = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "401" not in operation["responses"]
    ]
    assert missing == []


def test_an_error_status_is_described_in_the_api_s_words(document):
    responses = document["paths"]["/api/v1/escalations/{escalation_id}/reply/"]["post"]["responses"]
    assert responses["403"]["description"].startswith("Not the counselor holding")


def test_it_declares_bearer_authentication(document):
    schemes = document["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]


def test_the_docs_page_is_for_staff(client, family_alice):
    client.force_login(family_alice)
    assert client.get("/api/v1/docs").status_code == 404


def test_staff_read_the_docs_page(client, admin_dan):
    client.force_login(admin_dan)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
