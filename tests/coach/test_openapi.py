import re

import pytest

from aviator.urls import api_v1


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def openapi_path(route: str) -> str:
    """A URL-conf route ("conversations/<uuid:conversation_id>/") as an OpenAPI path."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_api_route_is_in_the_document(document):
    routes = {openapi_path(str(pattern.pattern)) for pattern in api_v1}
    assert routes - {"/openapi.json"} - set(document["paths"]) == set()


def test_every_documented_path_is_routed(document):
    routes = {openapi_path(str(pattern.pattern)) for pattern in api_v1}
    assert set(document["paths"]) - routes == set()


def test_every_schema_reference_resolves(document):
    import json
    import re

    references = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert references <= set(document["components"]["schemas"])


def test_it_declares_bearer_authentication(document):
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
