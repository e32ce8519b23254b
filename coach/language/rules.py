"""Rule-based reading of a family message: the offline model's extraction.

Deterministic and pure. It reads *everything* a message states, not only the answer to the last
question; the question asked settles what a bare answer ("28k.", "Small.", "Anywhere.") means.
A self-description in the shape students post it (labelled fields, sections) is read field by
field (`coach.language.posts`); grades and scores, money and places have readers of their own.
Values are checked against the same rule book as any chat model's output
(`coach.profile.validate_slot_value`); impossible ones come back as rejections, never as facts.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from coach.guard import guard_signals, normalize
from coach.language.academics import (
    GpaReading,
    read_gpa_field,
    read_gpa_prose,
    read_scores,
    says_test_optional,
)
from coach.language.base import ExtractedFact, Intent, Interpretation, RejectedValue
from coach.language.clauses import matches_any
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
from coach.language.money import (
    BUDGET_ANY,
    BUDGET_CUES,
    LOW_INCOME,
    LOW_INCOME_VALUE,
    is_other_figure,
    money_amounts,
    money_slot,
    money_slot_by_words,
)
from coach.language.place_mentions import ANYWHERE, ANYWHERE_WISH, place_mentions
from coach.language.places import read_places
from coach.language.posts import segment
from coach.language.preferences import read_setting, read_size
from coach.language.spelling import corrected_spelling
from coach.profile import SlotValueError, validate_slot_value

# --- The reading -------------------------------------------------------------------------------


@dataclass
class _Reading:
    """What one message states, collected reader by reader; the first value of a slot wins."""

    facts: list[ExtractedFact] = field(default_factory=list)
    rejected: list[RejectedValue] = field(default_factory=list)
    # The words each fact was read from.
    raws: dict[str, str] = field(default_factory=dict)

    def has(self, slot: str) -> bool:
        return any(fact.slot == slot for fact in self.facts)

    def offer(
        self,
        slot: str,
        value: Any,
        raw: str,
        confidence: float = 1.0,
        provenance: str = "stated",
        detail: dict[str, Any] | None = None,
    ) -> None:
        if self.has(slot):
            return
        try:
            valid = validate_slot_value(slot, value)
        except SlotValueError as error:
            if not any(r.slot == slot for r in self.rejected):
                self.rejected.append(RejectedValue(slot, raw.strip(), error.explanation))
            return
        self.facts.append(ExtractedFact(slot, valid, confidence, provenance, detail))
        self.raws[slot] = raw

    def offer_gpa(self, found: GpaReading | float | None) -> None:
        if isinstance(found, GpaReading):
            self.offer("gpa", found.value, found.raw, detail=found.detail)
        elif found is not None:
            self.offer("gpa", found, f"GPA {found:g}")


# Less than this a year is a wage or a fee, not a budget or a household income ("$15/half hr").
MIN_YEARLY_AMOUNT = 1_000


def _read_money(
    reading: _Reading,
    text: str,
    asked: set[str],
    *,
    only: str | None = None,
    profile: dict[str, Any] | None = None,
    describing: bool = False,
) -> None:
    """Budgets and incomes in `text`; `only` when a field's label already says which. An amount
    with no words of its own that repeats the known income ("around 90k, like I said") is that
    income again, not a new budget."""
    money_asked = "budget" in asked or "income" in asked or only is not None
    amounts = money_amounts(text, bare_numbers_are_money=money_asked)
    known_income = (profile or {}).get("income")
    student_pronoun = _student_pronoun(text)
    decided: list[tuple[bool, int, str, Any]] = []
    for index, amount in enumerate(amounts):
        if is_other_figure(text, amount) or amount.as_income() < MIN_YEARLY_AMOUNT:
            continue  # "$15 a half hour", an aid formula's figure, a scholarship
        for_whom = re.match(r"[^.;,]{0,20}?\bfor (him|her)\b", text[amount.end :])
        if student_pronoun and for_whom and for_whom.group(1) != student_pronoun:
            continue  # "we pay about 14k a semester for him" (her brother)
        # A field's label decides, unless the words say otherwise: "Income: ~$130k (parents
        # will cover up to $25k/yr)" holds a budget too.
        label_asked = {only} if only else asked
        slot = money_slot(text, amounts, index, label_asked, describing=describing)
        if only == "budget":
            slot = only
        # Amounts whose own words say what they are come first: "sell stickers (~$300/mo)"
        # must not take the income slot before "household income ~5,500/mo".
        cued = only is not None or money_slot_by_words(text, amounts, index) is not None
        decided.append((not cued, index, slot, amount))
    for _, _, slot, amount in sorted(decided, key=lambda item: item[:2]):
        if (
            slot == "budget"
            and only is None
            and known_income == amount.as_income()
            and not re.search(BUDGET_CUES, amount.clause)
        ):
            slot = "income"
        if slot == "income":
            reading.offer("income", amount.as_income(), amount.clause, detail=amount.bracket)
        else:
            reading.offer("budget", amount.as_budget(), amount.clause, detail=amount.bracket)
    if matches_any(BUDGET_ANY, text):
        reading.offer("budget", "any", "no budget limit")
    if only != "budget" and (low_income := LOW_INCOME.search(text)):
        # "Low income" places the family in the lowest price bracket; it is read, not said.
        words = {"words": low_income.group(0)}
        reading.offer("income", LOW_INCOME_VALUE, "low income", 0.8, "inferred", words)


_SPACE_RUNS = re.compile(r"[ \t]{2,}")
_ADDING_PLACES = r"\b(?:add|adding|also|too|as well|in addition|plus)\b"
_SIBLING_SENTENCE = re.compile(
    r"\b(?:my|his|her|our|their) (?:older |younger |big |little |twin )?(?:sister|brother|sibling|"
    r"cousin|sis|bro)(?:'s)?\b(?:[^.;!?\n]|\.\d)*"
)


def _student_pronoun(text: str) -> str | None:
    """ "her" or "him", whichever the message uses most for someone (the student, usually)."""
    hers = len(re.findall(r"\b(?:she|her|she's)\b", text))
    his = len(re.findall(r"\b(?:he|him|his|he's)\b", text))
    if hers == his:
        return None
    return "her" if hers > his else "him"


def _read_location_field(reading: _Reading, value: str, home_field: bool) -> None:
    """A "Location:" field: one state in a post without a residence is where the student
    lives; several places, a region or "no preference" say where they would study."""
    lowered = value.lower()
    mentions = place_mentions(value, lowered, field_value=True)
    if re.search(r"\b(?:no preference|anywhere|any|doesn't matter|don't care|open)\b", lowered):
        reading.offer("states", "any", value)
    elif len({code for m in mentions for code in m.codes}) == 1 and not home_field:
        reading.offer("home_state", mentions[0].codes[0], value)  # "Location: NYC (Queens)"
    elif mentions:
        places = read_places(
            value, lowered, asked={"location"}, home_known=None, self_description=False
        )
        if places.wanted:
            reading.offer("states", list(places.wanted), value)


def _read_home_field(reading: _Reading, value: str) -> None:
    mentions = [m for m in place_mentions(value, value.lower(), field_value=True)]
    singles = [m for m in mentions if len(m.codes) == 1]
    if singles:
        reading.offer("home_state", singles[0].codes[0], value)


def _read_field(
    reading: _Reading,
    kind: str,
    label: str,
    value: str,
    asked: set[str],
    *,
    home_field: bool = False,
) -> None:
    lowered = value.lower()
    match kind:
        case "home" | "school":
            _read_home_field(reading, value)
        case "location":
            _read_location_field(reading, value, home_field)
        case "demographics":
            _read_home_field(reading, value)
            _read_money(reading, lowered, asked | {"income"})
        case "income":
            _read_money(reading, lowered, asked, only="income")
        case "budget":
            _read_money(reading, lowered, asked, only="budget")
        case "major":
            majors = read_majors(lowered, strict=False)
            if majors:
                others = {"alternatives": majors[1:]} if majors[1:] else None
                reading.offer("major", majors[0], value, detail=others)
        case "gpa":
            reading.offer_gpa(read_gpa_field(lowered, label=label))
        case "scores":
            for score in read_scores(f"{label}: {lowered}"):
                reading.offer(score.slot, score.value, score.raw)


def read_message(text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
    """Everything `text` says, as validated facts, rejections, intents and declined topics."""
    # Read with misspelled known words corrected and runs of spaces made one (no pattern then
    # meets a long run); the message itself is stored as written.
    original = corrected_spelling(_SPACE_RUNS.sub(" ", normalize(text)))
    asked_set = set(asked)
    reading = _Reading()
    intents: set[str] = set()
    declined: set[str] = set()
    segmented = segment(original)
    home_field = any(kind == "home" for kind, _, _ in segmented.fields)
    for kind, label, value in segmented.fields:
        _read_field(reading, kind, label, value, asked_set, home_field=home_field)
    prose_original = "\n".join(segmented.prose)
    lowered = prose_original.lower()
    fields_text = "\n".join(f"{label}: {value}".lower() for _, label, value in segmented.fields)
    everything = f"{lowered}\n{fields_text}".strip()

    if matches_any(CORRECTION_MARKERS, lowered):
        intents.add(Intent.CORRECTION)
    # "the budget is 22k, not 18k": the negated value is what the family is taking back.
    # Blanked to the same length, so positions in `readable` are positions in the original.
    readable = NEGATED_PLACE.sub(blanked, NEGATED_VALUE.sub(blanked, lowered))

    # Scores come first so that their numbers are not mistaken for money; a sibling's grades
    # ("my sister had a 3.98 and a 35 ACT") are no facts about the student.
    own_grades = _SIBLING_SENTENCE.sub(blanked, readable)
    scores = read_scores(own_grades)
    for score in scores:
        reading.offer(score.slot, score.value, score.raw)
    reading.offer_gpa(read_gpa_prose(own_grades, asked="academics" in asked_set))
    has_scores = any(reading.has(slot) for slot in ("sat", "act"))
    score_raws = [raw for slot, raw in reading.raws.items() if slot in ("sat", "act")]
    # "SAT 1290, sent everywhere; ACT 24 (did not send)": one score withheld is not test optional.
    withheld = [raw for raw in score_raws if says_test_optional(raw, has_scores=True)]
    partly_sent = bool(withheld) and len(withheld) < len(score_raws)
    if says_test_optional(everything, has_scores=has_scores, original=original) and not partly_sent:
        reading.offer("test_optional", True, "no test scores")
    if (
        not any(reading.has(slot) for slot in ("sat", "act", "gpa"))
        and "academics" in asked_set
        and (bare := re.fullmatch(r"\D*(?P<value>\d{3,4})\D*", readable))
    ):
        reading.offer("sat", float(bare.group("value")), bare.group(0))

    # A pasted profile or a long first message describes the student rather than answering a
    # question: uncued figures are the household income, uncued states are no wish.
    self_description = segmented.is_post or len(readable) > SELF_DESCRIPTION_CHARS

    # Money: the words around an amount decide what it is, then the question asked.
    without_scores = readable
    for score in scores:
        without_scores = without_scores.replace(score.raw, " ")
    _read_money(
        reading,
        without_scores,
        asked_set,
        profile=profile,
        describing=self_description,
    )

    # A short answer to the major question is read as it is; a long message keeps the cues.
    majors = read_majors(
        readable, strict="major" not in asked_set or len(readable.split()) > SHORT_ANSWER_WORDS
    )
    if majors:
        others = {"alternatives": majors[1:]} if majors[1:] else None
        reading.offer("major", majors[0], majors[0], detail=others)

    places = read_places(
        prose_original,
        readable,
        asked=asked_set,
        home_known=profile.get("home_state"),
        self_description=self_description and "location" not in asked_set,
        describes_student=any(reading.has(slot) for slot in ("gpa", "sat", "act", "major")),
        writer_is_other=matches_any(WRITER_IS_OTHER, readable),
    )
    if places.home:
        reading.offer("home_state", places.home, "home state")
    if places.wanted:
        wanted = list(places.wanted)
        before = profile.get("states")
        # "Add Pennsylvania and Michigan too": more places, not other places.
        if isinstance(before, list) and matches_any(_ADDING_PLACES, readable):
            wanted = [*before, *(code for code in wanted if code not in before)]
        reading.offer("states", wanted, "places")
    if places.inferred_home:
        reading.offer("home_state", places.inferred_home, "stay in", 0.6, "inferred")

    size = read_size(readable, asked="size" in asked_set)
    if size:
        reading.offer("size", size, size)
    setting = read_setting(readable, asked="setting" in asked_set)
    if setting:
        reading.offer("setting", setting, setting)

    scope = set()
    if matches_any(WIDEN_TWO_YEAR, readable):
        scope.add("two_year")
    if matches_any(WIDEN_FOR_PROFIT, readable):
        scope.add("for_profit")

    # Intents. Crisis, requests for a person and manipulation are the guard's (coach.guard).
    signals = guard_signals(readable)
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
    facts = reading.facts
    is_question = readable.rstrip().endswith("?") or matches_any(
        r"^\s*(what|why|how|who|where|when|which|can you|could you|do you|are you|is it|will you)\b",
        readable,
    )
    if is_question and not facts and not signals and Intent.OTHER_LANGUAGE not in intents:
        intents.add(Intent.QUESTION if matches_any(COLLEGE_WORDS, readable) else Intent.OFF_TOPIC)
    # A request for something else entirely ("write a function", "tell me a joke") is out of lane
    # too: it gets the redirect, not "I didn't catch that".
    is_request = matches_any(REQUEST, readable)
    if is_request and not facts and not signals and not matches_any(COLLEGE_WORDS, readable):
        intents.add(Intent.OFF_TOPIC)

    # What the family says about the topic just asked, when it names no value.
    found_slots = {fact.slot for fact in facts}
    # "Doesn't matter." or "Not sure." answers the question asked; in a long message the same
    # words are about something else ("we don't know how the process works").
    answer_like = len(readable.split()) <= SHORT_ANSWER_WORDS + 3
    for topic in asked if answer_like else ():
        if _topic_found(topic, found_slots):
            continue
        if matches_any(NO_PREFERENCE, readable) or (
            topic == "location" and matches_any(ANYWHERE, readable)
        ):
            no_preference = {
                "budget": "any",
                "location": "any",
                "size": "any",
                "setting": "any",
                "major": "undecided",
            }
            if topic in no_preference:
                slot = "states" if topic == "location" else topic
                reading.offer(slot, no_preference[topic], "no preference")
                continue
        if matches_any(DECLINE, readable):
            if topic == "major":
                reading.offer("major", "undecided", "not sure")
            else:
                declined.add(topic)
    if "location" not in asked_set and matches_any(ANYWHERE_WISH, readable):
        reading.offer("states", "any", "anywhere")

    facts = reading.facts
    if (
        not facts
        and not reading.rejected
        and not declined
        and not signals
        and not scope
        and not (intents - {Intent.CORRECTION})
    ):
        intents.add(Intent.UNPARSED)
    if Intent.UNPARSED in intents and is_gibberish(original):
        intents.add("gibberish")
    return Interpretation(
        facts=tuple(facts),
        rejected=tuple(reading.rejected),
        intents=frozenset(intents),
        declined=frozenset(declined),
        model="offline",
        scope=frozenset(scope),
        named_colleges=named_colleges(prose_original),
    )


def _topic_found(topic: str, found_slots: set[str]) -> bool:
    slots = {
        "academics": {"gpa", "sat", "act", "test_optional"},
        "location": {"states"},
    }.get(topic, {topic})
    return bool(slots & found_slots)
