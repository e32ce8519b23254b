"""Rule-based reading of a family message: the offline model's extraction.

Deterministic and pure. It reads *everything* a message states, not only the answer to the last
question; the question asked settles what a bare answer ("28k.", "Small.", "Anywhere.") means.
A self-description in the shape students post it (labelled fields, sections) is read field by
field (`coach.language.posts`); grades and scores, money and places have readers of their own.
Values are checked against the same rule book as any chat model's output
(`coach.profile.validate_slot_value`); impossible ones come back as rejections, never as facts.
"""

import bisect
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
from coach.language.places import ANYWHERE, ANYWHERE_WISH, place_mentions, read_places
from coach.language.posts import segment
from coach.language.spelling import corrected_spelling
from coach.language.vocabulary import MAJOR_PHRASES, REGIONS, STATE_NAMES
from coach.profile import SlotValueError, validate_slot_value

# --- Small helpers -----------------------------------------------------------------------------


def _any(patterns: str, text: str) -> bool:
    return re.search(patterns, text) is not None


# A full stop ends a clause; the dot inside "B.Arch" or "3.5" does not.
_CLAUSE_BREAK = re.compile(r"(?:[,;!?\n()]|\.(?![a-z0-9])| but )+")


def _clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of `text`, without the spaces around it."""
    spans, position = [], 0
    for end in [*(m.start() for m in _CLAUSE_BREAK.finditer(text)), len(text)]:
        clause = text[position:end]
        if clause.strip():
            start = position + len(clause) - len(clause.lstrip())
            spans.append((start, start + len(clause.strip())))
        position = end
        if end < len(text):
            clause_break = _CLAUSE_BREAK.match(text, end)
            assert clause_break is not None  # the split found a break at `end`
            position = clause_break.end()
    return spans


# --- Majors, size, setting -------------------------------------------------------------------

_UNDECIDED = (
    r"\bundecided\b|\bundeclared\b|\bnot sure what (?:to study|to major in|major|she wants|he wants|they want)"
    r"|\b(?:isn't|is not|aren't|not) sure (?:what|which) (?:to study|major|field)"
    r"|\b(?:doesn't|does not|don't|do not) know (?:what|which) (?:\w+ ){0,3}?(?:to study|major|field|wants? to study)"
    r"|\bno idea what (?:to study|major)|\bhasn't decided\b|\bhas not decided\b|\bstill exploring\b"
    r"|\b(?:no (?:clue|idea)|zero (?:clue|idea)|not a clue|not sure|idk|don't know|do not know)\b"
    r"[^.;]{0,20}\b(?:major|study|studying)\b"
    r"|\bopen to any major\b"
)
_STUDY_CUE = (
    r"\b(stud(y|ies|ying)|major|majoring|degree|program|wants? to be|interested in|into|loves?|"
    r"(?:wanna|want to|wants to|going to|gonna|would like to|like to) do|"
    r"apply|applying|applied|leaning|between|"
    r"passion|pursue|career in|field|track|focus)\b"
    # "I want to go OOS for film": going somewhere for a subject.
    r"|\b(?:go|going|head|heading|schools?|colleges?|programs?)\b[^.,;]{0,20}\bfor\b"
)
# Everyday words that also mean other things: they name a major only with a study cue nearby,
# when the major was asked, or standing alone as a short clause ("Psychology, GPA 3.1").
_WEAK_MAJOR_WORDS = re.compile(
    r"^(education|history|writing|management|medical|medicine|design|english|health|"
    r"communications?|doctor|art|arts|film|music|math|computers?|languages?|recreation|fitness)$"
)
# Words that are also who the student is ("Chinese American", "Spanish-speaking"): a major only
# right after a study cue ("majoring in Spanish") or right before "major" ("a French major").
_HERITAGE_WORDS = re.compile(r"^(spanish|french|german|chinese|japanese|korean|arabic|italian)$")
_CUE_RIGHT_BEFORE = re.compile(
    r"\b(?:stud(?:y|ies|ying)|major(?:ing)?(?: in)?|minor(?:ing)? in|degree in|interested in|into|"
    r"loves?|passion for|pursue|pursuing|career in|focus on|go into|going into|teach|teaching)\s+$"
)
_CUE_RIGHT_AFTER = re.compile(r"^\s*(?:major|majors|degree|program|studies|minor|school)\b")
# "My dad is an engineer" says nothing about what the student will study.
_RELATIVE_AT_WORK = re.compile(
    r"(?<!like )(?<!like his )(?<!like her )(?<!like my )(?:\b(?:mom|dad|mother|father|parents?|sister|brother|aunt|uncle|husband|wife|siblings?|"
    r"cousins?|grand(?:ma|pa|mother|father|parents?))|\b(?:our|my|his|her) (?:oldest|older|eldest|"
    r"middle|younger)(?: one| son| daughter| kid| child)?)(?:'s)?\b[^.;,]{0,25}"
    r"\b(?:is|are|was|were|works?|worked|went|goes|attends?|attended|studied|studies|majored|'s)\b"
    r"|\b(?:mom|dad|mother|father)'s an?\b"
)
# Someone writing for a student who is not their child: their own home and wishes are not the
# student's.
_WRITER_IS_OTHER = (
    r"\bmy (?:grand(?:son|daughter|child|kid)s?|niece|nephew|students?|client|mentee)\b"
    r"|\bcounselor here\b|\bi'?m an? (?:school |guidance |college |independent )?counselor\b"
    r"|\bon behalf of\b|\bhelping (?:my )?(?:an? )?(?:grand\w+|student|niece|nephew|neighbor)\b"
    r"|\bmy step-?(?:son|daughter|kid|child)\b"
)
_NOT_THE_MAJOR_BEFORE = re.compile(
    r"\b(?:not|n't|never|no longer)\b[^.;,]{0,15}\b(?:want|wants|interested|into|like|likes|be)\b"
    r"[^.;,]{0,12}$"
)
_WORKPLACE_AFTER = re.compile(r"^\s+(?:clinic|hospital|office|shop|store|practice|firm|company)\b")
# Past this many characters, a message describes the student rather than answering a question.
SELF_DESCRIPTION_CHARS = 160
# Up to this many words, a message answering a question is read as the answer.
SHORT_ANSWER_WORDS = 12
_ALTERNATIVE_BEFORE = re.compile(
    r"\b(?:also|maybe|or|backup|second choice|alternatively|considering)\b[^.;]{0,25}$"
)
_CAREER_WORDS = re.compile(
    r"vet|vets|veterinarian|doctor|physician|lawyer|attorney|teacher|dentist|pharmacist|"
    r"(?:physical|occupational) therapist|police|engineer|engineers|accountant|entrepreneur"
)
_COMPILED_MAJORS = [(re.compile(rf"\b(?:{pattern})\b"), field) for pattern, field in MAJOR_PHRASES]


def read_majors(lowered: str, *, strict: bool) -> list[str]:
    """The fields of study `lowered` names, first mentioned first ("Economics / Finance" →
    social_sciences, business). `strict`: free text, where everyday words need a study cue; a
    labelled field or an answer to the major question is read as it is."""
    # "Undecided (leaning psych)" is undecided; "wants business ... or apply undeclared?" is not.
    found: list[tuple[int, int, str]] = [
        (match.start(), match.end(), "undecided") for match in re.finditer(_UNDECIDED, lowered)
    ][:1]
    spans = _clause_spans(lowered)
    starts = [start for start, _ in spans]
    # Each pattern runs once over the whole text; a match counts within its own clause.
    for pattern, field_key in _COMPILED_MAJORS:
        for match in pattern.finditer(lowered):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index < 0 or match.end() > spans[index][1]:
                continue
            start, end = spans[index]
            clause = lowered[start:end]
            if strict and _RELATIVE_AT_WORK.search(clause):
                continue
            word = match.group(0).strip()
            adjacent_cue = _CUE_RIGHT_BEFORE.search(
                lowered[start : match.start()]
            ) or _CUE_RIGHT_AFTER.match(lowered[match.end() : end])
            if _HERITAGE_WORDS.match(word) and not (adjacent_cue or not strict):
                continue
            if _NOT_THE_MAJOR_BEFORE.search(
                lowered[max(start, match.start() - 30) : match.start()]
            ):
                continue  # "she does NOT want to be a vet"
            if _WORKPLACE_AFTER.match(lowered[match.end() : end]):
                continue  # "works at a veterinary clinic"
            clause_has_cue = _any(_STUDY_CUE, clause) or len(clause.split()) <= 3
            if strict and _WEAK_MAJOR_WORDS.match(word) and not (clause_has_cue or adjacent_cue):
                continue
            found.append((match.start(), match.end(), field_key))
    # The longest phrase at a place wins: "biomedical engineering" is not "medical".
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    if found and found[0][2] == "undecided":
        return ["undecided"]
    kept: list[tuple[int, int, str]] = []
    covered_until = -1
    for start, end, field_key in found:
        if start >= covered_until:
            kept.append((start, end, field_key))
            covered_until = end

    # A field of study named outright outranks a career ("wants to be a vet, so Animal Science"),
    # unless it is named as the other option ("an engineer, but also considering chemistry").
    def rank(item: tuple[int, int, str]) -> int:
        if _CAREER_WORDS.fullmatch(lowered[item[0] : item[1]]):
            return 1
        return 2 if _ALTERNATIVE_BEFORE.search(lowered[max(0, item[0] - 40) : item[0]]) else 0

    kept.sort(key=rank)
    fields: list[str] = []
    for _, _, field_key in kept:
        if field_key not in fields:
            fields.append(field_key)
    return fields


_SIZE_WORDS = {
    "small": "small",
    "tiny": "small",
    "little": "small",
    "intimate": "small",
    "medium": "medium",
    "mid-sized": "medium",
    "midsize": "medium",
    "mid-size": "medium",
    "medium-sized": "medium",
    "large": "large",
    "big": "large",
    "huge": "large",
}
_SIZE_NOUN = (
    r"\s+(?:liberal arts\s+|public\s+|private\s+|state\s+)?(?:college|university|campus|uni)s?\b"
)
# "a small school" is a wish only with wish words: "tiny public school" is often their own.
_SCHOOL_SIZE_WISH = (
    r"\b(?:want|wants|prefer|prefers|looking for|would like|rather|like|likes|love|loves|hoping for|"
    r"interested in|open to|considering|dream)\b[^.;]{0,30}\b{word}\s+(?:\w+\s+)?schools?\b"
)
_SETTING_WORDS = {
    "city": "city",
    "urban": "city",
    "big city": "city",
    "downtown": "city",
    "suburb": "suburb",
    "suburbs": "suburb",
    "suburban": "suburb",
    "town": "town",
    "college town": "town",
    "small town": "town",
    "rural": "rural",
    "countryside": "rural",
    "country": "rural",
}


_ANY_SIZE_WORD = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in _SIZE_WORDS) + r")\b")
_ANY_SETTING_WORD = re.compile(
    r"\b(?:" + "|".join(re.escape(word) for word in _SETTING_WORDS) + r")\b"
)


def _size(lowered: str, *, asked: bool) -> str | None:
    if not _ANY_SIZE_WORD.search(lowered):
        return None
    for word, size in _SIZE_WORDS.items():
        if re.search(rf"\b{re.escape(word)}{_SIZE_NOUN}", lowered) or re.search(
            _SCHOOL_SIZE_WISH.replace("{word}", re.escape(word)), lowered
        ):
            return size
    if asked:
        for word, size in _SIZE_WORDS.items():
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return size
    return None


def _setting(lowered: str, *, asked: bool) -> str | None:
    if not _ANY_SETTING_WORD.search(lowered):
        return None
    for word in sorted(_SETTING_WORDS, key=len, reverse=True):
        noun = r"\s+(?:campus|setting|school|college|area|environment)"
        if re.search(rf"\b(?:in an?|an?)\s+{re.escape(word)}(?:{noun})?\b", lowered) or re.search(
            rf"\b{re.escape(word)}{noun}\b", lowered
        ):
            return _SETTING_WORDS[word]
    if asked:
        for word in sorted(_SETTING_WORDS, key=len, reverse=True):
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return _SETTING_WORDS[word]
    return None


# --- Intents -----------------------------------------------------------------------------------

_JUST_SHOW = (
    r"\bjust (?:give|show|send|list)\b[^.?!]{0,25}\b(?:list|schools|colleges|options|results|recommendations)\b"
    r"|\bskip (?:the|these|your) questions\b|\benough questions\b|\bstop asking\b"
    r"|\bshow me (?:the )?(?:schools|colleges|list|options)(?: now| already)?\b"
    r"|\b(?:give|show) me (?:some )?(?:schools|colleges) (?:now|already)\b"
)
_SAVE_LIST = (
    r"\b(?:save|keep|bookmark)\b[^.?!]{0,20}\b(?:list|them|these|those|colleges|schools)\b"
    r"|\badd (?:them|these|those|the colleges|the schools)\b[^.?!]{0,12}\bmy list\b"
)
_EMAIL_LIST = (
    r"\b(?:e-?mail|send)\b[^.?!]{0,20}\b(?:list|them|these|those|colleges|schools|it)\b"
    r"[^.?!]{0,20}\b(?:e-?mail|inbox)\b"
    r"|\be-?mail (?:me|us)\b[^.?!]{0,25}\b(?:list|them|these|those|colleges|schools)\b"
)
_REQUEST = (
    r"^\s*(?:please |can you |could you |would you )?(?:write|tell|make|create|give|translate|"
    r"summari[sz]e|draw|compose|code|recommend|suggest|order|book|play|sing)\b"
)
_COLLEGE_WORDS = (
    r"\b(college|colleges|school|schools|university|universities|major|gpa|sat|act|admission|"
    r"admissions|tuition|financial aid|aid|scholarship|degree|campus|apply|application|study|"
    r"studying|counselor|coach|list|recommend|cost|price|budget|state|states|you need|information|"
    r"fafsa|css profile|early decision|early action|regular decision|deadlines?|waitlist|"
    r"common app|transcripts?|recommendation letters?)\b"
)
_FOREIGN_WORDS = (
    r"\b(hola|gracias|quiero|universidad|hijo|hija|estudiar|necesito|por favor|bonjour|merci|"
    r"je voudrais|nous|université|ich|nicht|und|danke|obrigado|ciao|grazie)\b"
)
_GREETING = r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|greetings|howdy)\b"
_DECLINE = (
    r"\b(prefer not to say|rather not( say)?|skip|pass|not sure|unsure|don't know|do not know|"
    r"no idea|dunno|not applicable|n/a|no comment|private|personal|none of your business)\b"
)
_NO_PREFERENCE = (
    r"\b(no preference|doesn't matter|does not matter|don't care|do not care|either|any|"
    r"whatever|not picky|open to anything|anything|no strong preference|all good)\b"
)
_CORRECTION_MARKERS = (
    r"\b(actually|sorry|oops|i meant|correction|mistake|typo|not\s+\$?\d|now|instead|"
    r"update|updated|changed|went up|went down|retook|new score)"
)
_NEGATED_VALUE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:the\s+|an?\s+)?\$?\d[\d,.]*\s*(?:k|thousand|grand)?\b"
)
# "Oregon, not Washington" and "Michigan instead of Ohio": the place taken back.
_NEGATED_PLACE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:in\s+)?(?:"
    + "|".join(re.escape(name) for name in sorted({*STATE_NAMES, *REGIONS}, key=len, reverse=True))
    + r")\b"
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _is_gibberish(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    words = re.findall(r"[a-zA-Z]+", text)
    if not words:
        return False  # another script; other_language covers it
    vowelless = [w for w in words if len(w) > 3 and not re.search(r"[aeiouy]", w.lower())]
    long_runs = [w for w in words if len(w) > 14]
    return (len(vowelless) + len(long_runs)) / len(words) >= 0.5


def _mostly_other_script(text: str) -> bool:
    if text.isascii():
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(not c.isascii() for c in letters) / len(letters) > 0.3


# --- Scope: what the family asks the list to include ------------------------------------------

_WIDEN_TWO_YEAR = (
    r"\b(?:consider|considering|open to|include|including|interested in|looking at|look at|want|"
    r"wants|start at|starting at|begin at|show me|what about|how about|fine with|ok with|okay with|"
    r"thinking about|maybe|or)\b[^.;!?]{0,30}\b(?:community colleges?|two[- ]year|2[- ]year|"
    r"junior colleges?|associate(?:'s)? degrees?|certificate programs?|trade schools?|"
    r"vocational|technical colleges?)"
)
_WIDEN_FOR_PROFIT = (
    r"\bfor[- ]profit\b[^.;!?]{0,25}\b(?:fine|ok|okay|too|as well|included?)\b"
    r"|\b(?:include|including|open to|consider)\b[^.;!?]{0,15}\bfor[- ]profit"
)


# Colleges the family names ("Ohio State", "University of Michigan", "Miami Dade College"): the
# search resolves them against the catalog and includes them whatever the default scope.
_NAME_WORD = r"[A-Z][\w&.'-]*"
_COLLEGE_NAME = re.compile(
    rf"\bUniversity of {_NAME_WORD}(?:\s(?:at\s)?{_NAME_WORD}){{0,3}}"
    rf"|\b{_NAME_WORD}(?:\s{_NAME_WORD}){{0,3}}\s(?:University|College|State|Tech|Institute)"
    rf"(?:\sof\s{_NAME_WORD}(?:\s{_NAME_WORD}){{0,2}})?\b"
)
# Capitalized words that start a sentence rather than a name ("Maybe Ohio State", "Does Iowa State").
_NOT_A_NAME_START = re.compile(
    r"^(?:The|A|An|My|Our|His|Her|Their|Which|What|Is|And|Or|At|To|In|Maybe|Does|Do|Did|Was|Are|"
    r"Should|Could|Would|Can|Will|How|Why|When|Where|Who|Also|But|So|Like|Love|Loves|Chance|Me|"
    r"For|Got|Into|Accepted|Rejected|Waitlisted|Deferred|Applied|Applying|Visited|Visit|Thinking|"
    r"About|Considering|Both|Either|Hi|Hello|Hey|Yes|No|If|Then|Than|Even|Only|Just|Not|Plus)\s"
)
# "We do NOT want anything like DeVry University": a college named to be avoided.
_NAMED_TO_AVOID = re.compile(
    r"\b(?:not|n't|never|no|avoid|avoiding|anything but|except|nothing like)\b[^.;!?]{0,30}$"
)
MAX_NAMED_COLLEGES = 5


def named_colleges(original: str) -> tuple[str, ...]:
    names: list[str] = []
    for match in _COLLEGE_NAME.finditer(original):
        name = match.group(0)
        while _NOT_A_NAME_START.match(name):
            name = _NOT_A_NAME_START.sub("", name, count=1)
        name = name.strip()
        if _NAMED_TO_AVOID.search(original[max(0, match.start() - 40) : match.start()].lower()):
            continue
        if "University of" in name:
            name = name[name.index("University of") :]
        before = original[max(0, match.start() - 12) : match.start()].lower()
        # "we live in New York State" is a place.
        if name.endswith(" State") and re.search(r"\b(?:in|from|of)\s+(?:the\s+)?$", before):
            continue
        if len(name.split()) >= 2 and name not in names:
            names.append(name)
    return tuple(names[:MAX_NAMED_COLLEGES])


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
    if _any(BUDGET_ANY, text):
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

    if _any(_CORRECTION_MARKERS, lowered):
        intents.add(Intent.CORRECTION)
    # "the budget is 22k, not 18k": the negated value is what the family is taking back.
    # Blanked to the same length, so positions in `readable` are positions in the original.
    readable = _NEGATED_PLACE.sub(_blank, _NEGATED_VALUE.sub(_blank, lowered))

    # Scores come first so that their numbers are not mistaken for money; a sibling's grades
    # ("my sister had a 3.98 and a 35 ACT") are no facts about the student.
    own_grades = _SIBLING_SENTENCE.sub(_blank, readable)
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
        writer_is_other=_any(_WRITER_IS_OTHER, readable),
    )
    if places.home:
        reading.offer("home_state", places.home, "home state")
    if places.wanted:
        wanted = list(places.wanted)
        before = profile.get("states")
        # "Add Pennsylvania and Michigan too": more places, not other places.
        if isinstance(before, list) and _any(_ADDING_PLACES, readable):
            wanted = [*before, *(code for code in wanted if code not in before)]
        reading.offer("states", wanted, "places")
    if places.inferred_home:
        reading.offer("home_state", places.inferred_home, "stay in", 0.6, "inferred")

    size = _size(readable, asked="size" in asked_set)
    if size:
        reading.offer("size", size, size)
    setting = _setting(readable, asked="setting" in asked_set)
    if setting:
        reading.offer("setting", setting, setting)

    scope = set()
    if _any(_WIDEN_TWO_YEAR, readable):
        scope.add("two_year")
    if _any(_WIDEN_FOR_PROFIT, readable):
        scope.add("for_profit")

    # Intents. Crisis, requests for a person and manipulation are the guard's (coach.guard).
    signals = guard_signals(readable)
    if _any(_JUST_SHOW, readable):
        intents.add(Intent.JUST_SHOW_ME)
    if _any(_EMAIL_LIST, readable):
        intents.add(Intent.EMAIL_LIST)
    elif _any(_SAVE_LIST, readable):
        intents.add(Intent.SAVE_LIST)
    if _any(_GREETING, readable):
        intents.add(Intent.GREETING)
    if _any(_FOREIGN_WORDS, readable) or _mostly_other_script(original):
        intents.add(Intent.OTHER_LANGUAGE)
    facts = reading.facts
    is_question = readable.rstrip().endswith("?") or _any(
        r"^\s*(what|why|how|who|where|when|which|can you|could you|do you|are you|is it|will you)\b",
        readable,
    )
    if is_question and not facts and not signals and Intent.OTHER_LANGUAGE not in intents:
        intents.add(Intent.QUESTION if _any(_COLLEGE_WORDS, readable) else Intent.OFF_TOPIC)
    # A request for something else entirely ("write a function", "tell me a joke") is out of lane
    # too: it gets the redirect, not "I didn't catch that".
    is_request = _any(_REQUEST, readable)
    if is_request and not facts and not signals and not _any(_COLLEGE_WORDS, readable):
        intents.add(Intent.OFF_TOPIC)

    # What the family says about the topic just asked, when it names no value.
    found_slots = {fact.slot for fact in facts}
    # "Doesn't matter." or "Not sure." answers the question asked; in a long message the same
    # words are about something else ("we don't know how the process works").
    answer_like = len(readable.split()) <= SHORT_ANSWER_WORDS + 3
    for topic in asked if answer_like else ():
        if _topic_found(topic, found_slots):
            continue
        if _any(_NO_PREFERENCE, readable) or (topic == "location" and _any(ANYWHERE, readable)):
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
        if _any(_DECLINE, readable):
            if topic == "major":
                reading.offer("major", "undecided", "not sure")
            else:
                declined.add(topic)
    if "location" not in asked_set and _any(ANYWHERE_WISH, readable):
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
    if Intent.UNPARSED in intents and _is_gibberish(original):
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
