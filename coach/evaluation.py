"""Run scripted families (personas) and real-style posts through the real coach and score it.

Personas: redundant asks, premature recommendations, wrong profile facts, missed escalations,
constraint violations. Posts (a student's self-description sent as the first message): how many
of the labelled facts the coach took in (recall), how many it stored wrongly, and whether its
reply asked again for a topic the post answered. Every run goes through the same services as a
real family.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from coach.catalog.list_review import list_quality
from coach.catalog.selectors import catalog_records
from coach.graph.checkpointer import get_checkpointer
from coach.models import Conversation, DecisionTrace, Message, Phase, Role, ToolCallStatus
from coach.profile import REQUIRED_TOPICS, SLOT_TOPIC
from coach.services import conversation_start, family_message_submit
from coach.tool_calls import tool_call_run

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
    # `list_quality` counts of the last list, when the family asked for nothing beyond the
    # default scope (DESIGN.md §5); None otherwise.
    list_quality: dict[str, int] | None = None

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


def _last_coach_message(conversation: Conversation) -> Message:
    return conversation.messages.filter(role=Role.COACH).latest("seq")


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
            last = _last_coach_message(conversation)
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
        reply = _last_coach_message(conversation)
        # A reply written before the family's scripted follow-up arrived cannot know what the
        # follow-up will say: asks count as redundant once the whole script is sent.
        for topic in reply.asks if not script else ():
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
    result.list_quality = default_scope_list_quality(conversation)
    return result


def default_scope_list_quality(conversation: Conversation) -> dict[str, int] | None:
    """How the last list measures against the default scope, if the family asked for nothing
    else (no two-year or for-profit colleges, no college named)."""
    shortlist = conversation.shortlists.order_by("-created").first()
    search = conversation.tool_calls.filter(tool="search_colleges").order_by("-turn").first()
    if shortlist is None or search is None:
        return None
    scope = search.payload.get("scope") or {}
    if scope.get("two_year") or scope.get("for_profit") or scope.get("named_names"):
        return None
    return list_quality(shortlist.items, catalog_records())


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


@dataclass
class PostResult:
    post_id: str
    labelled: int = 0
    taken_in: int = 0
    # slot -> (label, stored)
    wrong: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    missed: dict[str, Any] = field(default_factory=dict)
    re_asked: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.wrong or self.re_asked)


# Post labels that name a stored slot differently (see tests/data/real_posts.json's _about).
_LABEL_SLOTS = {"income_range": "income", "gpa_weighted": "gpa"}


def _label_matches(label: str, expected: Any, stored: Any) -> bool:
    if label == "income_range":
        low, high = expected
        return isinstance(stored, int) and low <= stored <= high
    return _same(expected, stored)


def run_post(post: dict[str, Any], *, family) -> PostResult:
    """Send the post as the family's first message; compare the profile with its labels."""
    result = PostResult(post["id"])
    conversation = conversation_start(family=family)
    family_message_submit(conversation=conversation, text=post["text"])
    run_tool_calls_in_process(conversation)
    conversation.refresh_from_db()
    profile = conversation.profile
    for label, expected in post["labels"].items():
        stored = profile.get(_LABEL_SLOTS.get(label, label))
        result.labelled += 1
        if _label_matches(label, expected, stored):
            result.taken_in += 1
        elif stored is None:
            result.missed[label] = expected
        else:
            result.wrong[label] = (expected, stored)
    reply = _last_coach_message(conversation)
    given = post.get("given") or topics_given(post["labels"])
    result.re_asked = [topic for topic in reply.asks if topic in given]
    return result


def topics_given(labels: dict[str, Any]) -> set[str]:
    """The ask topics a post's labels answer (for sets labelled without `given`)."""
    slots = {_LABEL_SLOTS.get(label, label) for label in labels}
    return {SLOT_TOPIC[slot] for slot in slots if slot in SLOT_TOPIC}


def evaluate_posts(posts: list[dict[str, Any]]) -> list[PostResult]:
    return _as_throwaway_family(lambda family: [run_post(post, family=family) for post in posts])


def evaluate_personas(personas: list[dict[str, Any]]) -> list[PersonaResult]:
    """Run every persona as a throwaway family; remove the family and its checkpoints after."""
    return _as_throwaway_family(
        lambda family: [run_persona(persona, family=family) for persona in personas]
    )


def _as_throwaway_family(run):
    family = get_user_model().objects.create_user(
        username=f"eval-{uuid.uuid4().hex[:12]}@aviator.invalid", email="", password=None
    )
    try:
        return run(family)
    finally:
        saver = get_checkpointer()
        for conversation_id in Conversation.objects.filter(family=family).values_list(
            "id", flat=True
        ):
            saver.delete_thread(str(conversation_id))
        with transaction.atomic():
            family.delete()
