"""Rule-based reading of a family message: the offline model's extraction.

Deterministic and pure. It reads *everything* a message states, not only the answer to the last
question; the question asked only settles what a bare answer ("28k.", "Small.", "Anywhere.") means.
Values are checked against the same rule book as any chat model's output
(`coach.profile.validate_slot_value`); impossible ones come back as rejections, never as facts.
"""

import re
from dataclasses import dataclass

from coach.guard import guard_signals, normalize
from coach.language.base import ExtractedFact, Intent, Interpretation, RejectedValue
from coach.language.vocabulary import (
    AMBIGUOUS_CODES,
    MAJOR_PHRASES,
    REGIONS,
    STATE_NAMES,
)
from coach.profile import STATE_CODES, SlotValueError, validate_slot_value

# --- Small helpers -----------------------------------------------------------------------------


def _any(patterns: str, text: str) -> bool:
    return re.search(patterns, text) is not None


def _clauses(text: str) -> list[str]:
    return [clause.strip() for clause in re.split(r"[,.;!?\n()]+", text) if clause.strip()]


NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def _words_to_number(words: str) -> int | None:
    total = 0
    for word in re.split(r"[\s-]+", words.strip()):
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in NUMBER_WORDS:
            total += NUMBER_WORDS[word]
        elif word not in {"and", ""}:
            return None
    return total or None


# --- Money -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    value: int
    start: int
    end: int
    clause: str


_MONEY = re.compile(
    r"(?P<dollar>\$)?\s?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>k\b|K\b|thousand\b|grand\b|million\b)?"
    r"(?P<period>\s*(?:/|per|a|an|each)\s*(?:yr|year|month|mo)\b)?"
)
_WORD_MONEY = re.compile(
    rf"\b(?P<words>(?:(?:{_NUMBER_WORD})[\s-]*)+)\s*(?P<scale>thousand|grand|k)\b"
    r"(?P<period>\s*(?:/|per|a|an|each)\s*(?:yr|year|month|mo)\b)?"
)


def _clause_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".;!?\n")
    rights = [i for i in (text.find(mark, end) for mark in ".;!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def money_amounts(text: str, *, bare_numbers_are_money: bool) -> list[Amount]:
    """Dollar amounts in `text` (lower-cased), yearly. Bare numbers count only when asked about money."""
    amounts: list[Amount] = []
    for match in _MONEY.finditer(text):
        raw = match.group("number").replace(",", "")
        scale = (match.group("scale") or "").lower()
        has_marker = bool(
            match.group("dollar")
            or scale
            or "," in match.group("number")
            or (match.group("period") and float(raw) >= 100)
        )
        value = float(raw)
        if not has_marker:
            # "3.8", "1280 on the SAT" and "ACT 27" are not money unless money was the question.
            if not bare_numbers_are_money or value < 1000 or "." in raw:
                continue
            if re.search(r"\b(sat|act|gpa)\b", text[max(0, match.start() - 12) : match.end() + 12]):
                continue
        value *= {"k": 1000, "thousand": 1000, "grand": 1000, "million": 1_000_000}.get(scale, 1)
        if match.group("period") and re.search(r"mo(nth)?\b", match.group("period")):
            value *= 12
        amounts.append(
            Amount(int(value), match.start(), match.end(), _clause_around(text, *match.span()))
        )
    for match in _WORD_MONEY.finditer(text):
        number = _words_to_number(match.group("words"))
        if number is None:
            continue
        value = number * 1000
        if match.group("period") and re.search(r"mo(nth)?\b", match.group("period")):
            value *= 12
        amounts.append(
            Amount(value, match.start(), match.end(), _clause_around(text, *match.span()))
        )
    return sorted(amounts, key=lambda amount: amount.start)


_INCOME_CUES = (
    r"\b(income|make|makes|making|earn|earns|earning|salary|salaries|household|bring in)\b"
)
_BUDGET_CUES = (
    r"\b(afford|budget|pay|spend|max|maximum|up to|cost|costs|tuition|contribute|"
    r"can do|no more than|at most|under|for (?:college|school|tuition))\b"
)
_BUDGET_ANY = (
    r"\b(money|cost|costs|price|budget|paying)\b[^.]{0,25}\b(not|isn't|isnt|is not|no|doesn't|"
    r"does not|never)\b[^.]{0,12}\b(issue|object|concern|problem|matter|factor|worry)"
    r"|\bno (real )?budget\b|\bfull[- ]pay\b|\bwhatever it costs\b|\bcan pay (anything|whatever)\b"
    r"|\bcost is no (object|concern)\b|\bnot worried about (money|cost|price)\b"
)


# --- Scores ------------------------------------------------------------------------------------

# Words that may sit between a label and its number: "GPA is actually 3.6", "ACT composite of 29".
_FILLER = (
    r"(?:\s*(?:is|of|was|=|:|~|around|about|roughly|approximately|actually|really|now|more like|"
    r"score|composite|total|a|an)\b|\s*[=:~])*\s*"
)
_GPA_LABELLED = [
    r"\b(?:gpa|grade point average)\b" + _FILLER + r"(?P<value>\d{1,3}(?:\.\d{1,2})?)",
    r"(?P<value>\d{1,3}(?:\.\d{1,2})?)\s*(?:unweighted|weighted|uw|w)?\s*(?:gpa|grade point)\b",
    r"(?P<value>\d(?:\.\d{1,2})?)\s*(?P<kind>unweighted|weighted)\b",
]
_GPA_BARE = (
    r"(?:\bhas an?|\bgot an?|\bwith an?|\bis at an?|\bis an?|'s an?|^|\band an?)\s*"
    r"(?P<value>[0-5]\.\d{1,2})\b"
)
_SAT = [
    r"\bsat\b" + _FILLER + r"(?P<value>\d{3,4})\b",
    r"\b(?P<value>\d{3,4})\s*(?:on (?:the|her|his|their) sat|on sat|sat)\b",
    # "took the SAT and got 1210": a score later in the same clause.
    r"\bsat\b[^.;,]{0,30}?\b(?:got|scored|with|of)\s+(?:an?\s+)?(?P<value>\d{3,4})\b",
]
_ACT = [
    r"\bact\b" + _FILLER + r"(?P<value>\d{1,3})(?![\d.]\d)\b",
    r"\b(?P<value>\d{1,3})\s*(?:on (?:the|her|his|their) act|on act|act)\b",
    r"\bact\b[^.;,]{0,30}?\b(?:got|scored|with|of)\s+(?:an?\s+)?(?P<value>\d{1,2})(?![\d.]\d)\b",
]
_TEST_OPTIONAL = (
    r"\bno (?:test )?scores?\b|\bno (?:sat|act)s?\b|\btest[- ]optional\b|\bwithout (?:test )?scores\b"
    r"|\b(?:didn't|did not|hasn't|has not|haven't|won't|will not|isn't|is not|not) "
    r"(?:take|taken|taking|sit|sitting|submit|submitting|send|sending)\b[^.]{0,20}\b(?:tests?|sat|act|scores?)\b"
    r"|\bskip(?:ping)? the (?:sat|act|tests?)\b|\bno standardized tests?\b"
)


def _first_number(patterns: list[str], text: str) -> tuple[float, str] | None:
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            found.append((match.start(), float(match.group("value")), match.group(0)))
    if not found:
        return None
    found.sort()
    return found[0][1], found[0][2]


def _gpa(text: str, *, asked_academics: bool) -> tuple[float, str] | None:
    # An unweighted GPA is the one DESIGN.md asks for: prefer it when both are given.
    unweighted = re.search(r"(?P<value>\d(?:\.\d{1,2})?)\s*(?:unweighted|uw)\b", text)
    if unweighted:
        return float(unweighted.group("value")), unweighted.group(0)
    labelled = _first_number(_GPA_LABELLED, text)
    if labelled:
        return labelled
    if asked_academics or re.search(r"(?:\b(?:has|got|with|and|is)|'s) an?\s*[0-5]\.\d", text):
        bare = re.search(_GPA_BARE, text) or (
            re.search(r"(?<![\d.$])(?P<value>[0-5]\.\d{1,2})(?!\d|\.\d|\s*k\b)", text)
            if asked_academics
            else None
        )
        if bare:
            return float(bare.group("value")), bare.group(0)
    return None


# --- Places ------------------------------------------------------------------------------------

_STATE_NAME_PATTERN = re.compile(
    r"\b("
    + "|".join(re.escape(name) for name in sorted(STATE_NAMES, key=len, reverse=True))
    + r")\b"
)
_REGION_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(name) for name in sorted(REGIONS, key=len, reverse=True)) + r")\b"
)
_CODE_PATTERN = re.compile(r"\b([A-Z]{2})\b")
_ID_BEFORE = re.compile(r"(?i)\b(?:student|school|photo|my|his|her|their|your|an?|the)\s+$")
_ID_AFTER = re.compile(r"(?i)^\s*(?:#|number\b|no\.|card\b|\d{6,})")


def _is_an_id(text: str, match: re.Match) -> bool:
    """ "Student ID 987654321" or "my ID number" is an identity document, not Idaho."""
    if match.group(1) != "ID":
        return False
    return bool(_ID_BEFORE.search(text[: match.start()]) or _ID_AFTER.match(text[match.end() :]))


_HOME_CUE = re.compile(
    r"\b(live in|living in|lives in|we're in|we are in|we're from|we are from|from|based in|"
    r"resident(?:s)? of|home state is|our state is|reside in)\s*$"
)
_STAY_CUE = re.compile(r"\b(stay in|stay close to home in|remain in)\s*$")
_ANYWHERE = (
    r"\banywhere\b|\bany state\b|\ball over\b|\bnationwide\b|\bacross the (?:us|u\.s\.|country)\b"
    r"|\bopen to (?:any|all) (?:states|locations|places)\b|\blocation (?:doesn't|does not) matter\b"
)


@dataclass(frozen=True)
class PlaceMention:
    codes: tuple[str, ...]
    start: int
    home_cue: bool
    stay_cue: bool


def place_mentions(original: str, lowered: str) -> list[PlaceMention]:
    mentions: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []

    def add(codes: tuple[str, ...], start: int, end: int) -> None:
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        taken.append((start, end))
        before = lowered[max(0, start - 30) : start]
        mentions.append(
            PlaceMention(
                codes, start, bool(_HOME_CUE.search(before)), bool(_STAY_CUE.search(before))
            )
        )

    for match in _REGION_PATTERN.finditer(lowered):
        # "South Carolina" and "West Virginia" are states, not the South or the West.
        if _STATE_NAME_PATTERN.match(lowered, match.start()):
            continue
        add(REGIONS[match.group(1)], *match.span())
    for match in _STATE_NAME_PATTERN.finditer(lowered):
        name = match.group(1)
        code = STATE_NAMES[name]
        if name == "washington" and re.match(r"\s*,?\s*d\.?c\.?\b", lowered[match.end() :]):
            code = "DC"
        add((code,), *match.span())
    for match in _CODE_PATTERN.finditer(original):
        code = match.group(1)
        if code in STATE_CODES and code not in AMBIGUOUS_CODES and not _is_an_id(original, match):
            add((code,), *match.span())
    return sorted(mentions, key=lambda mention: mention.start)


# --- Majors, size, setting -------------------------------------------------------------------

_UNDECIDED = (
    r"\bundecided\b|\bundeclared\b|\bnot sure what (?:to study|to major in|major|she wants|he wants|they want)"
    r"|\b(?:isn't|is not|aren't|not) sure (?:what|which) (?:to study|major|field)"
    r"|\b(?:doesn't|does not|don't|do not) know (?:what|which) (?:\w+ ){0,3}?(?:to study|major|field|wants? to study)"
    r"|\bno idea what (?:to study|major)|\bhasn't decided\b|\bhas not decided\b|\bstill exploring\b"
    r"|\bopen to any major\b"
)
_STUDY_CUE = (
    r"\b(stud(y|ies|ying)|major|majoring|degree|program|wants? to be|interested in|into|loves?|"
    r"passion|pursue|career in|field|track|focus)\b"
)
# Everyday words that also mean other things: they name a major only with a study cue nearby,
# when the major was asked, or standing alone as a short clause ("Psychology, GPA 3.1").
_WEAK_MAJOR_WORDS = re.compile(
    r"^(education|history|writing|management|medical|medicine|design|english|health|"
    r"communications?|doctor|art|arts|film|music|math|computers?|languages?|recreation|fitness)$"
)
_COMPILED_MAJORS = [(re.compile(rf"\b(?:{pattern})"), field) for pattern, field in MAJOR_PHRASES]


def _major(lowered: str, *, asked_major: bool) -> str | None:
    if _any(_UNDECIDED, lowered):
        return "undecided"
    best: tuple[int, int, str] | None = None
    for clause in _clauses(lowered):
        clause_has_cue = _any(_STUDY_CUE, clause) or len(clause.split()) <= 3
        offset = lowered.find(clause)
        for pattern, field in _COMPILED_MAJORS:
            match = pattern.search(clause)
            if not match:
                continue
            weak = _WEAK_MAJOR_WORDS.match(match.group(0).strip())
            if weak and not (clause_has_cue or asked_major):
                continue
            candidate = (offset + match.start(), -(match.end() - match.start()), field)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


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
_SIZE_NOUN = r"\s+(?:liberal arts\s+|public\s+|private\s+|state\s+)?(?:school|college|university|campus|uni)s?\b"
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


def _size(lowered: str, *, asked: bool) -> str | None:
    for word, size in _SIZE_WORDS.items():
        if re.search(rf"\b{re.escape(word)}{_SIZE_NOUN}", lowered):
            return size
    if asked:
        for word, size in _SIZE_WORDS.items():
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return size
    return None


def _setting(lowered: str, *, asked: bool) -> str | None:
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
_CORRECTION_MARKERS = r"\b(actually|sorry|oops|i meant|correction|mistake|typo|not\s+\$?\d)"
_NEGATED_VALUE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:the\s+|an?\s+)?\$?\d[\d,.]*\s*(?:k|thousand|grand)?\b"
)
# "Oregon, not Washington" and "Michigan instead of Ohio": the place taken back.
_NEGATED_PLACE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:in\s+)?(?:"
    + "|".join(re.escape(name) for name in sorted({*STATE_NAMES, *REGIONS}, key=len, reverse=True))
    + r")\b"
)


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
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(not c.isascii() for c in letters) / len(letters) > 0.3


# --- The reading -------------------------------------------------------------------------------


def read_message(text: str, *, asked: list[str], profile: dict) -> Interpretation:
    """Everything `text` says, as validated facts, rejections, intents and declined topics."""
    original = normalize(text)
    lowered = original.lower()
    facts: list[ExtractedFact] = []
    rejected: list[RejectedValue] = []
    intents: set[str] = set()
    declined: set[str] = set()
    asked_set = set(asked)

    def offer(
        slot: str, value, raw: str, confidence: float = 1.0, provenance: str = "stated"
    ) -> None:
        try:
            facts.append(
                ExtractedFact(slot, validate_slot_value(slot, value), confidence, provenance)
            )
        except SlotValueError as error:
            rejected.append(RejectedValue(slot, raw.strip(), error.explanation))

    if _any(_CORRECTION_MARKERS, lowered):
        intents.add(Intent.CORRECTION)
    # "the budget is 22k, not 18k": the negated value is what the family is taking back.
    readable = _NEGATED_PLACE.sub(" ", _NEGATED_VALUE.sub(" ", lowered))

    # Scores come first so that their numbers are not mistaken for money.
    sat = _first_number(_SAT, readable)
    act = _first_number(_ACT, readable)
    gpa = _gpa(readable, asked_academics="academics" in asked_set)
    if sat:
        offer("sat", sat[0], sat[1])
    if act:
        offer("act", act[0], act[1])
    if gpa:
        offer("gpa", gpa[0], gpa[1])
    if not (sat or act) and _any(_TEST_OPTIONAL, readable):
        offer("test_optional", True, "no test scores")
    if (
        not (sat or act or gpa)
        and "academics" in asked_set
        and (bare := re.fullmatch(r"\D*(?P<value>\d{3,4})\D*", readable))
    ):
        offer("sat", float(bare.group("value")), bare.group(0))

    # Money: the question asked decides what a bare amount is; otherwise the words around it.
    without_scores = readable
    for found in (sat, act):
        if found:
            without_scores = without_scores.replace(found[1], " ")
    money_asked = "budget" in asked_set or "income" in asked_set
    amounts = money_amounts(without_scores, bare_numbers_are_money=money_asked)
    for index, amount in enumerate(amounts):
        slot = _money_slot(without_scores, amounts, index, asked_set)
        if not any(fact.slot == slot for fact in facts):
            offer(slot, amount.value, amount.clause)
    if _any(_BUDGET_ANY, readable) and not any(fact.slot == "budget" for fact in facts):
        offer("budget", "any", "no budget limit")

    major = _major(readable, asked_major="major" in asked_set)
    if major:
        offer("major", major, major)

    _read_places(original, readable, asked_set, profile, offer)

    size = _size(readable, asked="size" in asked_set)
    if size:
        offer("size", size, size)
    setting = _setting(readable, asked="setting" in asked_set)
    if setting:
        offer("setting", setting, setting)

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
    for topic in asked:
        if _topic_found(topic, found_slots):
            continue
        if _any(_NO_PREFERENCE, readable) or (topic == "location" and _any(_ANYWHERE, readable)):
            no_preference = {
                "budget": "any",
                "location": "any",
                "size": "any",
                "setting": "any",
                "major": "undecided",
            }
            if topic in no_preference:
                slot = "states" if topic == "location" else topic
                offer(slot, no_preference[topic], "no preference")
                continue
        if _any(_DECLINE, readable):
            if topic == "major":
                offer("major", "undecided", "not sure")
            else:
                declined.add(topic)
    if (
        "location" not in asked_set
        and not any(f.slot == "states" for f in facts)
        and _any(_ANYWHERE, readable)
    ):
        offer("states", "any", "anywhere")

    if (
        not facts
        and not rejected
        and not declined
        and not signals
        and not (intents - {Intent.CORRECTION})
    ):
        intents.add(Intent.UNPARSED)
    if Intent.UNPARSED in intents and _is_gibberish(original):
        intents.add("gibberish")
    return Interpretation(
        facts=tuple(facts),
        rejected=tuple(rejected),
        intents=frozenset(intents),
        declined=frozenset(declined),
        model="offline",
    )


def _money_slot(text: str, amounts: list[Amount], index: int, asked: set[str]) -> str:
    """Budget or income: the words just before the amount decide, then just after, then the
    question asked ("we make 120k and can pay 15k" holds one of each)."""
    amount = amounts[index]
    previous_end = amounts[index - 1].end if index else 0
    next_start = amounts[index + 1].start if index + 1 < len(amounts) else len(text)
    # Only the words in the amount's own phrase count: "120k household, 15k for college".
    before = re.split(
        r"[,;]| and | but ", text[max(previous_end, amount.start - 40) : amount.start]
    )[-1]
    after = re.split(r"[,;]| and | but ", text[amount.end : min(next_start, amount.end + 25)])[0]
    for window in (before, after):
        income, budget = re.search(_INCOME_CUES, window), re.search(_BUDGET_CUES, window)
        if income and not budget:
            return "income"
        if budget and not income:
            return "budget"
    if "income" in asked and "budget" not in asked:
        return "income"
    return "budget"


def _topic_found(topic: str, found_slots: set[str]) -> bool:
    slots = {
        "academics": {"gpa", "sat", "act", "test_optional"},
        "location": {"states"},
    }.get(topic, {topic})
    return bool(slots & found_slots)


def _read_places(original: str, lowered: str, asked: set[str], profile: dict, offer) -> None:
    mentions = place_mentions(original, lowered)
    home = [m for m in mentions if m.home_cue and len(m.codes) == 1]
    wanted = [m for m in mentions if not m.home_cue]
    if "home_state" in asked and not home and len(mentions) >= 1 and len(mentions[0].codes) == 1:
        home, wanted = [mentions[0]], mentions[1:]
    if home:
        offer("home_state", home[0].codes[0], "home state")
    home_code = home[0].codes[0] if home else profile.get("home_state")
    codes: list[str] = []
    for mention in wanted:
        codes.extend(code for code in mention.codes if code not in codes)
    if re.search(r"\bin[- ]state\b", lowered) and home_code and home_code not in codes:
        codes.insert(0, home_code)
    if codes:
        offer("states", codes, "places")
        stays = [m for m in wanted if m.stay_cue]
        # "stay in Ohio" tells us where they live too, though less surely than "we live in Ohio".
        if not home and not profile.get("home_state") and len(codes) == 1 and stays:
            offer("home_state", codes[0], "stay in", confidence=0.6, provenance="inferred")
