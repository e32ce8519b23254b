"""Grades and test scores as students write them (DESIGN.md §3: gpa, sat, act, test_optional).

Pure functions over lower-cased text. They return what the text states, never an invented value:
"valedictorian" or a 100-point average give no GPA, section scores are never the composite, and a
scale ("3.91/4") is never read as the GPA.

A weighted-only GPA is kept as stated, with its scale; `coach.profile.unweighted_gpa` is the
documented conversion the fit rules reason with.
"""

import re
from dataclasses import dataclass

from coach.language.numbers import spoken_scores_as_digits

# Denominators that name a grading scale rather than a weighted GPA ("3.91/4", "95/100").
GRADING_SCALES = frozenset({4.0, 5.0, 6.0, 10.0, 12.0, 100.0})
# An average at or above this is on a 100-point scale: not a 0–5 GPA, and not an error either.
HUNDRED_POINT_FLOOR = 50


@dataclass(frozen=True)
class GpaReading:
    value: float
    raw: str
    # The scale the value was stated on, when not the usual 4.0 (None: 4.0 or unknown).
    scale: float | None = None
    weighted: bool = False

    @property
    def detail(self) -> dict | None:
        if not (self.weighted or self.scale):
            return None
        return {"weighted": self.weighted, "scale": self.scale}


# --- GPA ---------------------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:\.\d{1,3})?"
_KIND = r"(?P<kind>unweighted|weighted|uw|w)\b"
_GPA_TOKEN = re.compile(
    r"(?:\b(?P<prekind>unweighted|weighted|uw|cumulative)\s+(?:gpa\s+)?(?:of\s+|is\s+|at\s+)?)?"
    rf"(?<![\d.$,])(?P<number>{_NUMBER})(?!\d|,\d|%|\.\d|\s*(?:k|percent|th|st|nd|rd)\b)"
    rf"(?:\s*[-–]\s*(?P<high>\d\.\d{{1,3}}))?"
    rf"(?:\s*(?:/|out of)\s*(?P<denominator>{_NUMBER}))?"
    rf"(?:\s*(?:gpa\s*)?\(?\s*{_KIND})?"
)
# "(4.0 scale)", "on a 5 point scale", "out of 5": a declared scale, not a value.
_DECLARED_SCALE = re.compile(
    r"(?:on an?|out of|\()?\s*(?P<scale>\d{1,3}(?:\.\d)?)\s*[- ]?(?:point|pt)?\s*scale\b"
    # "my school does GPA out of 5.0": a scale, not a value.
    r"|\bgpa out of\s*(?P<scale2>\d(?:\.\d)?)\b"
)
_GPA_WORD = re.compile(r"\b(?:gpa|grade point average)\b")
_BESIDE_GPA = re.compile(r"\bgpa\W{0,4}(?:is\s+|of\s+)?\d{1,3}\b(?!\.)|\b\d{1,3}\s*gpa\b")
_WINDOW_START = re.compile(r"\.\s|[;,\n!?]|\b(?:sat|act)\b")
# Where the words about a GPA end: a sentence, another label, or a comma before other words
# ("3.91/4 UW, 4.7/5 W" goes on; "3.9, rank 5/400" does not).
_WINDOW_END = re.compile(
    r"\.\s|[;\n!?]|\b(?:sat|act|rank|ap|ib|class)\b"
    r"|,\s*(?!\d|uw\b|w\b|weighted|unweighted|like\b|around\b|about\b|roughly\b|maybe\b)"
)
# "has a 3.8", "with a 3.5": a bare GPA-looking number said of the student.
_HAS_A = re.compile(
    r"(?:\b(?:has|got|with|and|is|is at|at|like|around|about|roughly|holds?|carr(?:y|ies)|"
    r"maintains?|sitting at)|'s) an?\s*"
    r"(?P<number>[0-5]\.\d{1,2})\b(?!\s*(?:k|%|million|on the (?:sat|act)|-?\s*(?:hours?|hrs?|"
    r"miles?|minutes?|mins?|days?|weeks?|years?|stars?|percent|times)\b))"
)
_GPA_BEFORE_SCORE = re.compile(
    r"(?<![\d.$])(?P<number>[0-4]\.\d{1,2})\s*(?:uw|unweighted)?\s*(?:[,/|.]|and)\s*(?:an? )?"
    r"(?:(?:sat|act)\b|\d{2,4}\s*(?:sat|act)\b)"
)
# Label orders in "GPA (UW/W): 3.9/4.7" and "GPA (W/UW): 4.7/3.9".
_WEIGHTED_FIRST = re.compile(r"\bw\s*/\s*uw\b|\bweighted\s*/\s*unweighted\b")


@dataclass(frozen=True)
class _Token:
    value: float
    start: int
    raw: str
    kind: str | None  # "uw", "w" or None
    scale: float | None


def _kind(word: str | None) -> str | None:
    if word is None:
        return None
    return "uw" if word in {"unweighted", "uw"} else "w"


def _tokens(text: str, weighted_first: bool) -> list[_Token]:
    declared = list(_DECLARED_SCALE.finditer(text))
    declared_spans = [m.span("scale" if m.group("scale") else "scale2") for m in declared]
    declared_scale = (
        float(declared[0].group("scale") or declared[0].group("scale2")) if declared else None
    )
    tokens: list[_Token] = []
    for match in _GPA_TOKEN.finditer(text):
        if any(start <= match.start("number") < end for start, end in declared_spans):
            continue
        value = float(match.group("number"))
        prekind = match.group("prekind")
        kind = _kind(match.group("kind") or (prekind if prekind != "cumulative" else None))
        if match.group("high"):
            value = round((value + float(match.group("high"))) / 2, 2)
        denominator = match.group("denominator")
        # A declared scale ("(4.0 scale)", "a 100 scale") belongs to the unmarked value it follows,
        # never to one marked weighted or unweighted.
        token_scale = declared_scale if kind is None else None
        if denominator is None:
            tokens.append(_Token(value, match.start(), match.group(0), kind, token_scale))
            continue
        second = float(denominator)
        if second in GRADING_SCALES and second >= value:
            tokens.append(_Token(value, match.start(), match.group(0), kind, second))
            continue
        # "4.0/4.6" and "3.9/4.7": an unweighted and a weighted GPA, in the label's order.
        first_kind, second_kind = ("w", "uw") if weighted_first else ("uw", "w")
        if not weighted_first and value > second:
            first_kind, second_kind = "w", "uw"
        tokens.append(_Token(value, match.start(), match.group(0), first_kind, declared_scale))
        tokens.append(_Token(second, match.start(), match.group(0), second_kind, declared_scale))
    return tokens


def _as_reading(token: _Token) -> GpaReading:
    scale = token.scale if token.scale not in (None, 4.0) else None
    weighted = token.kind == "w" or (token.kind is None and token.value > 4.0 and not scale)
    return GpaReading(token.value, token.raw, scale=scale, weighted=weighted)


def _choose(tokens: list[_Token]) -> GpaReading | float | None:
    """The GPA to keep: unweighted on 4.0 first, then unweighted on another scale, then an
    unmarked value, then a weighted one. A float is an impossible value to reject."""
    usable = [t for t in tokens if t.value < HUNDRED_POINT_FLOOR and (t.scale or 0) < 50]
    if not usable:
        return None
    impossible = [t for t in usable if t.value > (t.scale or 5.0) or t.value > 6.0]
    possible = [t for t in usable if t not in impossible]
    if not possible:
        return impossible[0].value
    # A range ("I think it's like 3.5-3.6") is a guess: a value stated outright comes first.
    exact = [t for t in possible if "-" not in t.raw and "–" not in t.raw]
    possible = exact or possible
    for wanted in (
        lambda t: t.kind == "uw" and t.scale in (None, 4.0),
        lambda t: t.kind == "uw",
        lambda t: t.kind is None and t.value <= 4.0 and t.scale in (None, 4.0),
        lambda t: t.kind is None,
        lambda t: t.kind == "w",
    ):
        chosen = [t for t in possible if wanted(t)]
        if chosen:
            return _as_reading(chosen[0])
    return None


def read_gpa_field(value: str, *, label: str = "") -> GpaReading | float | None:
    """A GPA from a labelled field ("GPA (UW/W): 3.84 UW / 4.31 W", "Weighted GPA: 4.4")."""
    label_kind = None
    if re.search(r"\bunweighted\b|\buw\b", label) and not re.search(r"/", label):
        label_kind = "uw"
    elif re.search(r"\bweighted\b|\bw\b", label) and not re.search(r"/", label):
        label_kind = "w"
    tokens = _tokens(value, weighted_first=bool(_WEIGHTED_FIRST.search(label + " " + value)))
    if label_kind and len(tokens) == 1 and tokens[0].kind is None:
        tokens = [_Token(tokens[0].value, tokens[0].start, tokens[0].raw, label_kind, None)]
    return _choose(tokens)


def read_gpa_prose(text: str, *, asked: bool) -> GpaReading | float | None:
    """A GPA said in a sentence: near the word GPA, marked weighted/unweighted, "has a 3.8", or
    any GPA-looking number when the coach just asked about academics."""
    candidates: list[_Token] = []
    for word in _GPA_WORD.finditer(text):
        # The words around "GPA", within its sentence and before the next label.
        before = text[max(0, word.start() - 30) : word.start()]
        left_cut = list(_WINDOW_START.finditer(before))
        window_start = word.start() - len(before) + (left_cut[-1].end() if left_cut else 0)
        after = text[word.end() : word.end() + 45]
        cut = _WINDOW_END.search(after)
        window = text[window_start : word.end()] + (after[: cut.start()] if cut else after)
        for token in _tokens(window, bool(_WEIGHTED_FIRST.search(window))):
            # A whole number is a GPA only right beside the word ("GPA 4", "GPA: 7").
            if "." in token.raw or _BESIDE_GPA.search(window):
                candidates.append(token)
    for token in _tokens(text, bool(_WEIGHTED_FIRST.search(text))):
        # "3.8 unweighted", "unweighted 3.62", "cumulative 3.66": marked as a GPA without the word.
        if "." in token.raw and (token.kind or token.raw.startswith("cumulative")):
            candidates.append(token)
    if not candidates:
        # "3.4, ACT 23": a GPA-looking number right before a test score.
        bare = _HAS_A.search(text) or _GPA_BEFORE_SCORE.search(text)
        if bare:
            value = float(bare.group("number"))
            candidates.append(_Token(value, bare.start(), bare.group(0), None, None))
        elif asked:
            candidates.extend(
                t
                for t in _tokens(text, False)
                if "." in t.raw and t.value <= 5.0 and not re.search(r"\d{3}", t.raw)
            )
    unique = {(t.value, t.kind, t.scale): t for t in sorted(candidates, key=lambda t: t.start)}
    return _choose(sorted(unique.values(), key=lambda t: t.start))


# --- SAT and ACT --------------------------------------------------------------------------------

_TEST_WORD = re.compile(
    r"\b(?:(?P<both>sat\s*/\s*act|act\s*/\s*sat)|(?P<test>sat(?!\s*(?:ii|2)\b)|act))\b"
    r"(?!\s*(?:subject|prep|tutor|class|course|book))"
)
# Section scores: "560 RW", "730 M", "30E", "790M", "Math 780", "EBRW: 690".
_SECTIONS = r"rw|ebrw|erw|m|math|r|reading|e|english|s|science|w|writing|v|verbal|cr|sci|eng|rd"
_SECTION_SCORE = re.compile(
    rf"\b\d{{2,3}}\s*(?:{_SECTIONS})\b|\b(?:{_SECTIONS})\s*[:=]?\s*\d{{2,3}}\b"
)
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SCORE_NUMBER = re.compile(r"(?<![\d.,$])(\d{1,4})(?!\d|[.,]\d|\s*(?:k|%|percent|th|st|nd|rd)\b)")
_SCORE_BEFORE_TEST = re.compile(
    r"(?<![\d.,$])(?P<value>\d{2,4})\s*(?:composite\s+|superscored?\s+|total\s+)?"
    r"(?:(?:on|in) (?:the|her|his|their|my|an?) (?:\w+ )?|on |in )?(?P<test>sat|act)\b"
    # A one-digit ACT only said outright: "a 9 on the ACT".
    r"|(?<![\d.,$])(?P<single>\d)\s+on (?:the|her|his|their|my) act\b"
)
_SUPERSCORE = re.compile(
    r"\bsuperscor\w*\s*(?:of|is|was|:)?\s*(?:an?\s+)?(?P<value>\d{2,4})\b"
    r"|\b(?P<before>\d{2,4})\s*superscor"
)
# The score the student sends, when several attempts are listed: "sending the 32", "1380 → 1470".
_SENT_SCORE = re.compile(
    r"\b(?:sent|sending|send|submitted|submitting|reported|reporting|using)\s+"
    r"(?:only\s+)?(?:the|my|a|an)?\s*(?P<value>\d{2,4})\b"
    r"(?!\s*(?:k|%|times|schools|colleges|apps|applications?|essays|supplements|emails|letters))"
)
# "Is a 1180 good enough for UCF?": a total asked about is the SAT.
_SAT_ASKED_ABOUT = re.compile(
    r"\b(?:an?|my|with an?)\s+(?P<value>1[0-5]\d{2}|1600|[89]\d{2})\b"
    r"(?=\s+(?:good enough|enough|competitive|okay|ok|good)\b)"
)
_SAT_AFTER_GPA = re.compile(
    # One separator run, so the pattern cannot backtrack over long runs of spaces.
    r"(?<![\d.$])[0-4]\.\d{1,2}[\s,/|]*(?:(?:uw|w|unweighted|gpa)\b[\s,/|]*)?"
    r"(?P<value>1[0-5]\d{2}|1600|[89]\d{2})\b(?!\s*(?:k\b|%|\$|dollars|a (?:year|month)|per|hours|"
    r"hrs|students|kids|miles|psat))"
)
# "She retook it and got a 25": the score of a retake, named by its range.
_RETAKE = re.compile(
    r"\b(?:retook|retaken|retake|retaking|took it again|second (?:time|try|attempt))\b"
    r"[^.;!?]{0,30}?\b(?:got|scored|get|gets)\s+(?:an?\s+)?(?P<value>\d{2,4})\b"
)
_LATER_ATTEMPT = re.compile(r"\b(?P<first>\d{2,4})\s*(?:→|->|=>|-->)\s*(?P<value>\d{2,4})\b")


@dataclass(frozen=True)
class ScoreReading:
    slot: str  # "sat" or "act"
    value: int
    raw: str


def _by_range(number: int) -> str:
    return "sat" if number >= 100 else "act"


def _composite_numbers(window: str) -> list[int]:
    """The composite-looking numbers of a window: no parentheses, no section scores."""
    plain = _SECTION_SCORE.sub(" ", _PARENTHESES.sub(" ", window))
    return [int(m.group(1)) for m in _SCORE_NUMBER.finditer(plain)]


_WINDOW_CUT = re.compile(r"[;\n]|\.\s|\.$|,(?![^()]*\))")


# Words that make a number near a test's name no score of the student's.
_NOT_A_REAL_SCORE = re.compile(r"\b(?:practice|mock|predicted|diagnostic|goal|target|aiming)\b")


def _score_window(rest: str) -> tuple[str, list[int]]:
    """The words after a test's name that hold its score, and the composites in them. The window
    ends at the clause; "got my SAT back, 1280" reaches one clause further for a first number."""
    cuts = [m.start() for m in _WINDOW_CUT.finditer(rest)] + [len(rest)]
    reach = 2 if rest[cuts[0] : cuts[0] + 1] == "," else 1
    for cut in cuts[:reach]:
        # A later test's own label ends this one's window: "SAT 1400 ACT 32".
        window = re.split(r"\b(?:sat|act|psat|gpa)\b", rest[:cut])[0]
        first_number = re.search(r"\d", window)
        if _NOT_A_REAL_SCORE.search(window[: first_number.start() if first_number else None]):
            return "", []  # "haven't taken the ACT yet, my practice tests are around 24"
        # "took the SAT once (1260)": a composite in parentheses when there is none outside.
        numbers = _composite_numbers(window) or _composite_numbers(re.sub(r"[()\[\]]", " ", window))
        if numbers or window != rest[:cut]:
            return window, numbers
    return window, numbers


def read_scores(text: str) -> list[ScoreReading]:
    """SAT and ACT composites (superscores count), first mention of each. Out-of-range values are
    returned as they are: the caller's validation rejects them."""
    text = spoken_scores_as_digits(text)
    found: dict[str, ScoreReading] = {}

    def keep(slot: str, value: int, raw: str) -> None:
        found.setdefault(slot, ScoreReading(slot, value, raw.strip()))

    # "1400 SAT": a number right before the test's name is its score.
    for match in _SCORE_BEFORE_TEST.finditer(text):
        if match.group("single"):
            keep("act", int(match.group("single")), match.group(0))
        else:
            keep(match.group("test"), int(match.group("value")), match.group(0))
    for match in _TEST_WORD.finditer(text):
        rest = text[match.end() : match.end() + 70]
        window, numbers = _score_window(rest)
        raw = text[match.start() : match.end() + len(window)]
        if match.group("both"):
            for number in numbers[:2]:
                keep(_by_range(number), number, raw)
        elif numbers:
            keep(match.group("test"), numbers[0], raw)
    # "3.8 uw 1360": a total right after a GPA is the SAT.
    if "sat" not in found and (after_gpa := _SAT_AFTER_GPA.search(text)):
        keep("sat", int(after_gpa.group("value")), after_gpa.group(0))
    if "sat" not in found and (asked_about := _SAT_ASKED_ABOUT.search(text)):
        keep("sat", int(asked_about.group("value")), asked_about.group(0))
    # What the student sends beats a first attempt: the superscore, the score "sent", the later
    # of "1380 → 1470".
    for pattern in (_LATER_ATTEMPT, _RETAKE, _SENT_SCORE, _SUPERSCORE):
        for match in pattern.finditer(text):
            number = int(match.group("value") or match.group("before"))
            slot = _by_range(number)
            first = match.groupdict().get("first")
            if first and _by_range(int(first)) != slot:
                continue
            named_test = pattern is _RETAKE and re.search(rf"\b{slot}\b", text)
            if slot in found or pattern is _SUPERSCORE or named_test:
                found[slot] = ScoreReading(slot, number, match.group(0).strip())
    return sorted(found.values(), key=lambda reading: reading.slot != "sat")


_NOT_SUBMITTED = re.compile(
    r"\btest[- ]optional\b|\b(?:didn't|did not|didnt|won't|wont|will not|not|never|chose not to|"
    r"decided not to) (?:end up |ever |actually |even |really )?(?:submit|send|report)"
    r"(?:ting|ted|ing|s)?\b"
    # ...a score not sent: the words say which ("not sending it", "(didn't submit)" after one).
    r"(?=\s*(?:it|them|my|her|his|the|any|scores?|sat|act|tests?)?\b\s*(?:scores?|sat|act|tests?|"
    r"it|them|anywhere|everywhere|to|$|[.,;)]))"
    r"|\bwithout (?:test )?scores\b"
    r"|\bno (?:test )?scores? (?:submitted|sent)\b|\bunsubmitted\b|\bnot submitted\b"
    r"|\b(?:did not|didn't|didnt|won't|will not|not going to) test\b|\bnot testing\b"
)
# "applied TO everywhere", "applying TO.": test optional, abbreviated; in capitals in the family's
# own text (in capitals), so "apply to every school" is not it.
_TO_SHORTHAND = re.compile(r"\b(?:applied|applying|apply|went|going) TO\b")
_NO_SCORES = re.compile(
    r"\bno (?:test )?scores?\b|\bno (?:sat|act)s?\b|\bwithout (?:test )?scores\b"
    r"|\b(?:didn't|didnt|did not|hasn't|hasnt|has not|haven't|havent|have not|won't|wont|will not|"
    r"isn't|isnt|is not|not|never) "
    r"(?:take|taken|taking|took|sit|sitting|submit|submitting|send|sending)\b[^.]{0,20}"
    r"\b(?:tests?|sat|act|scores?)\b|\bskip(?:ping)? the (?:sat|act|tests?)\b"
    r"|\bno standardized tests?\b"
    r"|\b(?:sat|act|tests?|testing|scores?)\s*[:=-]\s*(?:n/?a\b|none\b|didn't take|did not take|"
    r"never took|not taken|haven't taken|skipped)"
)


def says_test_optional(text: str, *, has_scores: bool, original: str = "") -> bool:
    """Whether the student applies without scores. With a score known, only an explicit "test
    optional" or "didn't submit" says so (the score itself stays known). `original`: the text in
    its own case, where "applied TO" is the abbreviation."""
    if _NOT_SUBMITTED.search(text) or _TO_SHORTHAND.search(original):
        return True
    no_scores = _NO_SCORES.search(text)
    # "He hasn't taken the SAT yet" is a plan, not a choice to apply without scores.
    if no_scores and re.match(r"[^.;!?\n]{0,15}\byet\b", text[no_scores.end() :]):
        return False
    return not has_scores and bool(no_scores)
