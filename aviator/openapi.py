"""The OpenAPI 3.1 document of the HTTP API v1, built from the same Pydantic shapes the API uses."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from coach.schemas import (
    ApprovalDecisionIn,
    ConversationCreateIn,
    ConversationListOut,
    ConversationStateOut,
    ErrorOut,
    MessageIn,
)
from handoff.schemas import (
    EscalationListOut,
    EscalationOut,
    HandoffIn,
    ReplyIn,
    ResolveIn,
)

SCHEMAS: list[type[BaseModel]] = [
    ApprovalDecisionIn,
    ConversationCreateIn,
    MessageIn,
    ConversationStateOut,
    ConversationListOut,
    ErrorOut,
    HandoffIn,
    ReplyIn,
    ResolveIn,
    EscalationOut,
    EscalationListOut,
]


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*statuses: int) -> dict:
    meaning = {
        400: "Invalid body (malformed JSON, empty or non-string text).",
        401: "Missing or invalid bearer token.",
        403: "Not the counselor holding this escalation.",
        404: "No such conversation (or not yours), or no such escalation for you.",
        409: "The approval was already decided otherwise, it expired, or a counselor has the "
        "conversation now; the escalation was already claimed or resolved; or (code `closed`) "
        "the conversation is closed and read-only: the message was not stored.",
        413: "Text longer than the limit.",
        429: "Too many messages or conversations; the Retry-After header says when to retry.",
        503: "The coach could not answer (code `turn_failed`: the message is stored and will be "
        "answered), or the service is overloaded (code `overloaded` or `unavailable`: nothing was "
        "stored; the Retry-After header says when to send it again).",
    }
    return {str(status): _json(ErrorOut, meaning[status]) for status in statuses}


def openapi_document() -> dict:
    _, definitions = models_json_schema(
        [(model, "validation") for model in SCHEMAS], ref_template="#/components/schemas/{model}"
    )
    conversation_id = {
        "name": "conversation_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    escalation_id = {**conversation_id, "name": "escalation_id"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Aviator API",
            "version": "1",
            "description": "The college-planning coach: families' conversations and messages, "
            "and the counselors' inbox (staff tokens).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": definitions["$defs"],
        },
        "paths": {
            "/conversations/": {
                "get": {
                    "summary": "Your conversations",
                    "responses": {"200": _json(ConversationListOut, "Own conversations only.")}
                    | _errors(401),
                },
                "post": {
                    "summary": "Start a conversation (the coach greets and asks)",
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref(ConversationCreateIn)}}
                    },
                    "responses": {"201": _json(ConversationStateOut, "The new conversation.")}
                    | _errors(400, 401, 429, 503),
                },
            },
            "/conversations/{conversation_id}/": {
                "get": {
                    "summary": "A conversation's state",
                    "parameters": [conversation_id],
                    "responses": {"200": _json(ConversationStateOut, "The state.")}
                    | _errors(401, 404),
                }
            },
            "/conversations/{conversation_id}/messages/": {
                "post": {
                    "summary": "Send a family message; answers with the state after its turn",
                    "description": "The message is stored, then answered by a worker. The "
                    "response waits for that turn up to AVIATOR_TURN_WAIT_SECONDS (default 20): "
                    "200 with the state after the turn, or 202 with the state so far (`busy` is "
                    "true) when the turn takes longer; the rest arrives on the chat socket or a "
                    "later GET.",
                    "parameters": [conversation_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(MessageIn)}},
                    },
                    "responses": {
                        "200": _json(ConversationStateOut, "The state after the turn."),
                        "202": _json(
                            ConversationStateOut,
                            "The message is stored and its turn is still running (busy).",
                        ),
                    }
                    | _errors(400, 401, 404, 409, 413, 429, 503),
                }
            },
            "/conversations/{conversation_id}/approvals/{approval_id}/": {
                "post": {
                    "summary": "Approve or decline the write the coach proposed (pending_approval)",
                    "parameters": [
                        conversation_id,
                        {**conversation_id, "name": "approval_id"},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(ApprovalDecisionIn)}},
                    },
                    "responses": {"200": _json(ConversationStateOut, "The state afterwards.")}
                    | _errors(400, 401, 404, 409),
                }
            },
            "/conversations/{conversation_id}/handoff/": {
                "post": {
                    "summary": "Ask for a counselor (the coach goes silent until hand-back)",
                    "parameters": [conversation_id],
                    "requestBody": {"content": {"application/json": {"schema": _ref(HandoffIn)}}},
                    "responses": {
                        "200": _json(ConversationStateOut, "The state, phase `escalated`.")
                    }
                    | _errors(400, 401, 404, 409),
                }
            },
            "/escalations/": {
                "get": {
                    "summary": "Staff: the inbox",
                    "parameters": [
                        {
                            "name": "queue",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["open", "unassigned", "mine", "urgent"],
                                "default": "open",
                            },
                        }
                    ],
                    "responses": {"200": _json(EscalationListOut, "The escalations of the queue.")}
                    | _errors(401, 404),
                }
            },
            "/escalations/{escalation_id}/claim/": {
                "post": {
                    "summary": "Staff: claim an escalation (one counselor wins)",
                    "parameters": [escalation_id],
                    "responses": {"200": _json(EscalationOut, "Claimed: a person is in charge.")}
                    | _errors(401, 404, 409),
                }
            },
            "/escalations/{escalation_id}/reply/": {
                "post": {
                    "summary": "Staff: reply into the family's chat (the assignee)",
                    "parameters": [escalation_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(ReplyIn)}},
                    },
                    "responses": {"200": _json(EscalationOut, "The escalation after the reply.")}
                    | _errors(400, 401, 403, 404, 409),
                }
            },
            "/escalations/{escalation_id}/resolve/": {
                "post": {
                    "summary": "Staff: hand back to the coach, or close (the assignee)",
                    "parameters": [escalation_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(ResolveIn)}},
                    },
                    "responses": {"200": _json(EscalationOut, "The escalation, resolved.")}
                    | _errors(400, 401, 403, 404, 409),
                }
            },
        },
    }


@require_GET
def openapi_json(request):
    return JsonResponse(openapi_document())
