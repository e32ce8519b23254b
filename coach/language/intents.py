"""The cues of what a message wants (see the list, save it, a person, no preference, a correction),
of unreadable text, and of the scope and colleges the family names."""

import re

from coach.language.vocabulary import REGIONS, STATE_NAMES

# --- Intents -----------------------------------------------------------------------------------

JUST_SHOW = (
    r"\bjust (?:give|show|send|list)\b[^.?!]{0,25}\b(?:list|schools|colleges|options|results|recommendations)\b"
    r"|\bskip (?:the|these|your) questions\b|\benough questions\b|\bstop asking\b"
    r"|\bshow me (?:the )?(?:schools|colleges|list|options)(?: now| already)?\b"
    r"|\b(?:give|show) me (?:some )?(?:schools|colleges) (?:now|already)\b"
)
SAVE_LIST_CUE = (
    r"\b(?:save|keep|bookmark)\b[^.?!]{0,20}\b(?:list|them|these|those|colleges|schools)\b"
    r"|\badd (?:them|these|those|the colleges|the schools)\b[^.?!]{0,12}\bmy list\b"
)
EMAIL_LIST_CUE = (
    r"\b(?:e-?mail|send)\b[^.?!]{0,20}\b(?:list|them|these|those|colleges|schools|it)\b"
    r"[^.?!]{0,20}\b(?:e-?mail|inbox)\b"
    r"|\be-?mail (?:me|us)\b[^.?!]{0,25}\b(?:list|them|these|those|colleges|schools)\b"
)
REQUEST = (
    r"^\s*(?:please |can you |could you |would you )?(?:write|tell|make|create|give|translate|"
    r"summari[sz]e|draw|compose|code|recommend|suggest|order|book|play|sing)\b"
)
COLLEGE_WORDS = (
    r"\b(college|colleges|school|schools|university|universities|major|gpa|sat|act|admission|"
    r"admissions|tuition|financial aid|aid|scholarship|degree|campus|apply|application|study|"
    r"studying|counselor|coach|list|recommend|cost|price|budget|state|states|you need|information|"
    r"fafsa|css profile|early decision|early action|regular decision|deadlines?|waitlist|"
    r"common app|transcripts?|recommendation letters?)\b"
)
FOREIGN_WORDS = (
    r"\b(hola|gracias|quiero|universidad|hijo|hija|estudiar|necesito|por favor|bonjour|merci|"
    r"je voudrais|nous|université|ich|nicht|und|danke|obrigado|ciao|grazie)\b"
)
GREETING_CUE = r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|greetings|howdy)\b"
DECLINE = (
    r"\b(prefer not to say|rather not( say)?|skip|pass|not sure|unsure|don't know|do not know|"
    r"no idea|dunno|not applicable|n/a|no comment|private|personal|none of your business)\b"
)
NO_PREFERENCE = (
    r"\b(no preference|doesn't matter|does not matter|don't care|do not care|either|any|"
    r"whatever|not picky|open to anything|anything|no strong preference|all good)\b"
)
CORRECTION_MARKERS = (
    r"\b(actually|sorry|oops|i meant|correction|mistake|typo|not\s+\$?\d|now|instead|"
    r"update|updated|changed|went up|went down|retook|new score)"
)
NEGATED_VALUE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:the\s+|an?\s+)?\$?\d[\d,.]*\s*(?:k|thousand|grand)?\b"
)
# "Oregon, not Washington" and "Michigan instead of Ohio": the place taken back.
NEGATED_PLACE = re.compile(
    r"\b(?:not|instead of|rather than)\s+(?:in\s+)?(?:"
    + "|".join(re.escape(name) for name in sorted({*STATE_NAMES, *REGIONS}, key=len, reverse=True))
    + r")\b"
)


def blanked(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def is_gibberish(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    words = re.findall(r"[a-zA-Z]+", text)
    if not words:
        return False  # another script; other_language covers it
    vowelless = [w for w in words if len(w) > 3 and not re.search(r"[aeiouy]", w.lower())]
    long_runs = [w for w in words if len(w) > 14]
    return (len(vowelless) + len(long_runs)) / len(words) >= 0.5


def mostly_other_script(text: str) -> bool:
    if text.isascii():
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(not c.isascii() for c in letters) / len(letters) > 0.3


# --- Scope: what the family asks the list to include ------------------------------------------

WIDEN_TWO_YEAR = (
    r"\b(?:consider|considering|open to|include|including|interested in|looking at|look at|want|"
    r"wants|start at|starting at|begin at|show me|what about|how about|fine with|ok with|okay with|"
    r"thinking about|maybe|or)\b[^.;!?]{0,30}\b(?:community colleges?|two[- ]year|2[- ]year|"
    r"junior colleges?|associate(?:'s)? degrees?|certificate programs?|trade schools?|"
    r"vocational|technical colleges?)"
)
WIDEN_FOR_PROFIT = (
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
