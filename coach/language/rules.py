"""Rule-based reading of a family message: the offline model's extraction.

Deterministic and pure. It reads *everything* a message states, not only the answer to the last
question; the question asked settles what a bare answer ("28k.", "Small.", "Anywhere.") means.
A self-description in the shape students post it (labelled fields, sections) is read field by
field (`coach.language.posts`); grades and scores, money and places have readers of their own.
Values are checked against the same rule book as any chat model's output
(`coach.profile.validate_slot_value`); impossible ones come back as rejections, never as facts.
"""

import re
from typing import Any

from coach.guard import guard_signals, normalize
from coach.language.academics import (
    ScoreReading,
    read_gpa_prose,
    read_scores,
    says_test_optional,
)
from coach.language.base import Intent, Interpretation
from coach.language.clauses import matches_any
from coach.language.fields import read_field
from coach.language.found import FoundFacts
from coach.language.intents import (
    COLLEGE_WORDS,
    CORRECTION_MARKERS,
    DECLINE,
    EMAIL_LIST_CUE,
    FOREIGN_WORDS,
    GREETING_CUE,
    JUST_SHOW,
    NEGATED_PLACE,
    NEGATED_VALUE,
    NO_PREFERENCE,
    REQUEST,
    SAVE_LIST_CUE,
    WIDEN_FOR_PROFIT,
    WIDEN_TWO_YEAR,
    blanked,
    is_gibberish,
    mostly_other_script,
    named_colleges,
)
from coach.language.majors import (
    SELF_DESCRIPTION_CHARS,
    SHORT_ANSWER_WORDS,
    WRITER_IS_OTHER,
    read_majors,
)
from coach.language.money_facts import read_money
from coach.language.place_cues import ANYWHERE, ANYWHERE_WISH
from coach.language.places import read_places
from coach.language.posts import segment
from coach.language.preferences import read_setting, read_size
from coach.language.spelling import corrected_spelling

_SPACE_RUNS = re.compile(r"[ \t]{2,}")
_ADDING_PLACES = r"\b(?:add|adding|also|too|as well|in addition|plus)\b"
_SIBLING_SENTENCE = re.compile(
    r"\b(?:my|his|her|our|their) (?:older |younger |big |little |twin )?(?:sister|brother|sibling|"
    r"cousin|sis|bro)(?:'s)?\b(?:[^.;!?\n]|\.\d)*"
)
_QUESTION_OPENING = (
    r"^\s*(what|why|how|who|where|when|which|can you|could you|do you|are you|is it|will you)\b"
)
# What "no preference" sets, by the topic asked.
_NO_PREFERENCE = {
    "budget": "any",
    "location": "any",
    "size": "any",
    "setting": "any",
    "major": "undecided",
}


def read_message(text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
    """Everything `text` says, as validated facts, rejections, intents and declined topics.

    Readers run in a fixed order and the first value of a slot wins: labelled fields, grades and
    scores (before money, so their numbers are not taken for dollars), money, the major, places,
    size and setting; then intents, and what a short answer says without naming a value."""
    # Read with misspelled known words corrected and runs of spaces made one (no pattern then
    # meets a long run); the message itself is stored as written.
    original = corrected_spelling(_SPACE_RUNS.sub(" ", normalize(text)))
    asked_set = set(asked)
    found = FoundFacts()
    segmented = segment(original)
    home_field = any(kind == "home" for kind, _, _ in segmented.fields)
    for kind, label, value in segmented.fields:
        read_field(found, kind, label, value, asked_set, home_field=home_field)
    prose_original = "\n".join(segmented.prose)
    lowered = prose_original.lower()
    fields_text = "\n".join(f"{label}: {value}".lower() for _, label, value in segmented.fields)
    everything = f"{lowered}\n{fields_text}".strip()

    intents: set[str] = set()
    if matches_any(CORRECTION_MARKERS, lowered):
        intents.add(Intent.CORRECTION)
    # "the budget is 22k, not 18k": the negated value is what the family is taking back.
    # Blanked to the same length, so positions in `readable` are positions in the original.
    readable = NEGATED_PLACE.sub(blanked, NEGATED_VALUE.sub(blanked, lowered))
    scores = _read_grades(found, readable, everything, original, asked_set)
    # A pasted profile or a long first message describes the student rather than answering a
    # question: uncued figures are the household income, uncued states are no wish.
    self_description = segmented.is_post or len(readable) > SELF_DESCRIPTION_CHARS
    without_scores = readable
    for score in scores:
        without_scores = without_scores.replace(score.raw, " ")
    read_money(found, without_scores, asked_set, profile=profile, describing=self_description)
    _read_major(found, readable, asked_set)
    _read_places(found, prose_original, readable, asked_set, profile, self_description)
    _read_size_and_setting(found, readable, asked_set)
    scope = _scope_widened(readable)
    # Crisis, requests for a person and manipulation are the guard's (coach.guard).
    signals = guard_signals(readable)
    intents |= _intents(readable, original, has_facts=bool(found.facts), signals=signals)
    declined = _answers_without_value(found, asked, readable)
    if "location" not in asked_set and matches_any(ANYWHERE_WISH, readable):
        found.offer("states", "any", "anywhere")

    said_nothing_usable = not (found.facts or found.rejected or declined or signals or scope)
    if said_nothing_usable and not (intents - {Intent.CORRECTION}):
        intents.add(Intent.UNPARSED)
    if Intent.UNPARSED in intents and is_gibberish(original):
        intents.add("gibberish")
    return Interpretation(
        facts=tuple(found.facts),
        rejected=tuple(found.rejected),
        intents=frozenset(intents),
        declined=frozenset(declined),
        model="offline",
        scope=frozenset(scope),
        named_colleges=named_colleges(prose_original),
    )


def _read_grades(
    found: FoundFacts, readable: str, everything: str, original: str, asked: set[str]
) -> list[ScoreReading]:
    """GPA, SAT, ACT and test-optional. A sibling's grades ("my sister had a 3.98 and a 35 ACT")
    are no facts about the student. Returns the scores read, whose words money must skip."""
    own_grades = _SIBLING_SENTENCE.sub(blanked, readable)
    scores = read_scores(own_grades)
    for score in scores:
        found.offer(score.slot, score.value, score.raw)
    found.offer_gpa(read_gpa_prose(own_grades, asked="academics" in asked))
    has_scores = any(found.has(slot) for slot in ("sat", "act"))
    score_raws = [raw for slot, raw in found.raws.items() if slot in ("sat", "act")]
    # "SAT 1290, sent everywhere; ACT 24 (did not send)": one score withheld is not test optional.
    withheld = [raw for raw in score_raws if says_test_optional(raw, has_scores=True)]
    partly_sent = bool(withheld) and len(withheld) < len(score_raws)
    if says_test_optional(everything, has_scores=has_scores, original=original) and not partly_sent:
        found.offer("test_optional", True, "no test scores")
    if (
        not any(found.has(slot) for slot in ("sat", "act", "gpa"))
        and "academics" in asked
        and (bare := re.fullmatch(r"\D*(?P<value>\d{3,4})\D*", readable))
    ):
        found.offer("sat", float(bare.group("value")), bare.group(0))
    return scores


def _read_major(found: FoundFacts, readable: str, asked: set[str]) -> None:
    # A short answer to the major question is read as it is; a long message keeps the cues.
    majors = read_majors(
        readable, strict="major" not in asked or len(readable.split()) > SHORT_ANSWER_WORDS
    )
    if majors:
        others = {"alternatives": majors[1:]} if majors[1:] else None
        found.offer("major", majors[0], majors[0], detail=others)


def _read_places(
    found: FoundFacts,
    prose_original: str,
    readable: str,
    asked: set[str],
    profile: dict[str, Any],
    self_description: bool,
) -> None:
    places = read_places(
        prose_original,
        readable,
        asked=asked,
        home_known=profile.get("home_state"),
        self_description=self_description and "location" not in asked,
        describes_student=any(found.has(slot) for slot in ("gpa", "sat", "act", "major")),
        writer_is_other=matches_any(WRITER_IS_OTHER, readable),
    )
    if places.home:
        found.offer("home_state", places.home, "home state")
    if places.wanted:
        wanted = list(places.wanted)
        before = profile.get("states")
        # "Add Pennsylvania and Michigan too": more places, not other places.
        if isinstance(before, list) and matches_any(_ADDING_PLACES, readable):
            wanted = [*before, *(code for code in wanted if code not in before)]
        found.offer("states", wanted, "places")
    if places.inferred_home:
        found.offer("home_state", places.inferred_home, "stay in", 0.6, "inferred")


def _read_size_and_setting(found: FoundFacts, readable: str, asked: set[str]) -> None:
    size = read_size(readable, asked="size" in asked)
    if size:
        found.offer("size", size, size)
    setting = read_setting(readable, asked="setting" in asked)
    if setting:
        found.offer("setting", setting, setting)


def _scope_widened(readable: str) -> set[str]:
    """The kinds of college the family asked to include beyond the default scope."""
    scope = set()
    if matches_any(WIDEN_TWO_YEAR, readable):
        scope.add("two_year")
    if matches_any(WIDEN_FOR_PROFIT, readable):
        scope.add("for_profit")
    return scope


def _intents(readable: str, original: str, *, has_facts: bool, signals: frozenset[str]) -> set[str]:
    intents: set[str] = set()
    if matches_any(JUST_SHOW, readable):
        intents.add(Intent.JUST_SHOW_ME)
    if matches_any(EMAIL_LIST_CUE, readable):
        intents.add(Intent.EMAIL_LIST)
    elif matches_any(SAVE_LIST_CUE, readable):
        intents.add(Intent.SAVE_LIST)
    if matches_any(GREETING_CUE, readable):
        intents.add(Intent.GREETING)
    if matches_any(FOREIGN_WORDS, readable) or mostly_other_script(original):
        intents.add(Intent.OTHER_LANGUAGE)
    is_question = readable.rstrip().endswith("?") or matches_any(_QUESTION_OPENING, readable)
    if is_question and not has_facts and not signals and Intent.OTHER_LANGUAGE not in intents:
        intents.add(Intent.QUESTION if matches_any(COLLEGE_WORDS, readable) else Intent.OFF_TOPIC)
    # A request for something else entirely ("write a function", "tell me a joke") is out of lane
    # too: it gets the redirect, not "I didn't catch that".
    is_request = matches_any(REQUEST, readable)
    if is_request and not has_facts and not signals and not matches_any(COLLEGE_WORDS, readable):
        intents.add(Intent.OFF_TOPIC)
    return intents


def _answers_without_value(found: FoundFacts, asked: list[str], readable: str) -> set[str]:
    """What the family says about the topics just asked when it names no value: "no preference"
    sets one, "not sure" declines the topic (returned). In a long message the same words are about
    something else ("we don't know how the process works")."""
    declined: set[str] = set()
    if len(readable.split()) > SHORT_ANSWER_WORDS + 3:
        return declined
    found_slots = {fact.slot for fact in found.facts}
    for topic in asked:
        if _topic_found(topic, found_slots):
            continue
        no_preference = matches_any(NO_PREFERENCE, readable) or (
            topic == "location" and matches_any(ANYWHERE, readable)
        )
        if no_preference and topic in _NO_PREFERENCE:
            slot = "states" if topic == "location" else topic
            found.offer(slot, _NO_PREFERENCE[topic], "no preference")
            continue
        if matches_any(DECLINE, readable):
            if topic == "major":
                found.offer("major", "undecided", "not sure")
            else:
                declined.add(topic)
    return declined


def _topic_found(topic: str, found_slots: set[str]) -> bool:
    slots = {
        "academics": {"gpa", "sat", "act", "test_optional"},
        "location": {"states"},
    }.get(topic, {topic})
    return bool(slots & found_slots)
