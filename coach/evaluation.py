"""Run scripted families (personas) through the real coach and score how it did.

Scoring follows `tests/data/README.md`: redundant asks, premature recommendations, wrong profile
facts, missed escalations. Every persona runs through the same services as a real family.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from coach.catalog.selectors import catalog_records
from coach.graph.checkpointer import get_checkpointer
from coach.models import Conversation, DecisionTrace, Phase, ToolCallStatus
from coach.profile import REQUIRED_TOPICS
from coach.services import conversation_start, family_message_submit, tool_call_run

MAX_FAMILY_MESSAGES = 14
UNKNOWN_ANSWER = "I'm not sure."


@dataclass
class PersonaResult:
    persona_id: str
    kind: str
    messages_to_recommendation: int | None = None
    redundant_asks: list[str] = field(default_factory=list)
    premature: bool = False
    wrong_facts: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Recommended colleges outside the catalog, the family's states or its budget.
    violations: list[str] = field(default_factory=list)
    phase: str = ""

    @property
    def passed(self) -> bool:
        return not (
            self.redundant_asks
            or self.premature
            or self.wrong_facts
            or self.problems
            or self.violations
        )


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list) and isinstance(actual, list):
        return sorted(expected) == sorted(actual)
    if isinstance(expected, float | int) and isinstance(actual, float | int):
        return abs(expected - actual) < 1e-6
    return expected == actual


def run_persona(persona: dict[str, Any], *, family) -> PersonaResult:
    result = PersonaResult(persona["id"], persona.get("kind", ""))
    expect = persona.get("expect", {})
    given = set(persona.get("given", []))
    answered: set[str] = set()
    conversation = conversation_start(family=family)
    script = [persona["opener"]] + ([persona["followup"]] if persona.get("followup") else [])
    sent = 0
    follow_up_answered = False
    while sent < MAX_FAMILY_MESSAGES:
        if script:
            text = script.pop(0)
        else:
            last = conversation.messages.filter(role="coach").order_by("-seq").first()
            asks = list(last.asks)
            if not asks or conversation.phase == Phase.ESCALATED:
                break
            if conversation.phase == Phase.RECOMMENDED:
                if follow_up_answered:
                    break
                follow_up_answered = True
            text = " ".join(persona.get("answers", {}).get(topic, UNKNOWN_ANSWER) for topic in asks)
            answered.update(asks)
        family_message_submit(conversation=conversation, text=text)
        run_tool_calls_in_process(conversation)
        sent += 1
        conversation.refresh_from_db()
        reply = conversation.messages.filter(role="coach").order_by("-seq").first()
        for topic in reply.asks:
            if topic in given or topic in answered:
                result.redundant_asks.append(topic)
        if conversation.phase == Phase.RECOMMENDED and result.messages_to_recommendation is None:
            result.messages_to_recommendation = sent
            known = given | answered
            if persona.get("kind") != "just_show_me" and not set(REQUIRED_TOPICS) <= known:
                result.premature = True
    result.phase = conversation.phase
    for slot, expected in persona.get("facts", {}).items():
        actual = conversation.profile.get(slot)
        if not _same(expected, actual):
            result.wrong_facts[slot] = (expected, actual)
    _check_expectations(result, conversation, expect)
    result.violations = recommendation_violations(conversation)
    return result


def recommendation_violations(conversation: Conversation) -> list[str]:
    shortlist = conversation.shortlists.order_by("-created").first()
    if shortlist is None:
        return []
    profile = conversation.profile
    catalog = {college.unitid: college for college in catalog_records()}
    found = []
    for item in shortlist.items:
        college = catalog.get(item["unitid"])
        if college is None or college.name != item["name"]:
            found.append(f"{item['name']} is not in the catalog")
            continue
        if isinstance(profile["states"], list) and college.state not in profile["states"]:
            found.append(f"{college.name} is in {college.state}")
        budget = profile["budget"]
        if isinstance(budget, int) and (item["net_price"] is None or item["net_price"] > budget):
            found.append(f"{college.name} costs {item['net_price']} over {budget}")
    return found


def run_tool_calls_in_process(conversation: Conversation) -> None:
    """Do the worker's job here, with the same service it calls, so a run needs no worker."""
    while call := conversation.tool_calls.filter(status=ToolCallStatus.QUEUED).first():
        tool_call_run(tool_call_id=call.pk)


def _check_expectations(result: PersonaResult, conversation: Conversation, expect: dict) -> None:
    if expect.get("escalate"):
        if conversation.phase != Phase.ESCALATED:
            result.problems.append("expected an escalation")
        urgent = DecisionTrace.objects.filter(
            conversation=conversation, node="escalate", details__urgent=True
        ).exists()
        if expect.get("urgent") and not urgent:
            result.problems.append("expected an urgent escalation")
        return
    if result.messages_to_recommendation is None:
        result.problems.append(f"never recommended (phase {conversation.phase})")
    within = expect.get("recommend_within")
    if within and (result.messages_to_recommendation or 99) > within:
        result.problems.append(
            f"recommended after {result.messages_to_recommendation} messages, not {within}"
        )


def evaluate_personas(personas: list[dict[str, Any]]) -> list[PersonaResult]:
    """Run every persona as a throwaway family; remove the family and its checkpoints after."""
    family = get_user_model().objects.create_user(
        username=f"eval-{uuid.uuid4().hex[:12]}@aviator.invalid", email="", password=None
    )
    try:
        return [run_persona(persona, family=family) for persona in personas]
    finally:
        saver = get_checkpointer()
        for conversation_id in Conversation.objects.filter(family=family).values_list(
            "id", flat=True
        ):
            saver.delete_thread(str(conversation_id))
        with transaction.atomic():
            family.delete()
