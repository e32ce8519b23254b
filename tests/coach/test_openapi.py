import pytest


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def test_it_publishes_every_conversation_endpoint(document):
    assert set(document["paths"]) == {
        "/conversations/",
        "/conversations/{conversation_id}/",
        "/conversations/{conversation_id}/messages/",
        "/conversations/{conversation_id}/approvals/{approval_id}/",
    }


def test_every_schema_reference_resolves(document):
    import json
    import re

    references = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert references <= set(document["components"]["schemas"])


def test_it_declares_bearer_authentication(document):
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
