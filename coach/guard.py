"""The guard: what happens to a family's message before it is stored or any model sees it.

Input hygiene (Unicode normalization, invisible and control characters), redaction of numbers
nobody should type into a chat (SSNs, card and bank numbers), and the signals read by rules:
safety and manipulation never depend on a model's reading, whatever `COACH_MODEL` is.
"""

import re
import unicodedata

from stdnum import iban, luhn
from stdnum.us import rtn

CRISIS = "crisis"
HUMAN = "human"
INJECTION = "injection"
OFF_TOPIC_TASK = "off_topic_task"
# What the guard protects against; HUMAN (a request for a person) is a wish the gate honours.
GUARDRAIL_SIGNALS = frozenset({CRISIS, INJECTION, OFF_TOPIC_TASK})

_PATTERNS: dict[str, str] = {
    CRISIS: (
        r"\bkill (?:him|her|them|my|your)sel(?:f|ves)\b|\bkill myself\b|\bsuicid|\bself[- ]?harm"
        r"|\bhurt(?:ing)? (?:him|her|them|my)sel(?:f|ves)\b"
        r"|\bcut(?:ting)? (?:him|her|them|my)sel(?:f|ves)\b|\bwants? to die\b"
        r"|\bend (?:his|her|their|my) life\b|\bnot safe at home\b"
        r"|\b(?:not|doesn't|does not|don't|do not) (?:want|wanting) to (?:be here|be alive|live)\b"
        r"|\bnot wanting to be (?:here|alive)\b|\bbetter off dead\b|\bno reason to live\b"
        # Abuse disclosed about someone in the family, not the word in a career plan.
        r"|\b(?:is|was|being|been|gets|got) (?:sexually |physically )?abused\b"
        r"|\babus(?:es|ing) (?:him|her|me|them|us)\b|\babusive (?:father|mother|parent|partner|"
        r"boyfriend|girlfriend|husband|wife|home|relationship|stepfather|stepmother)\b"
        r"|\b(?:hits|beats) (?:him|her|me|them)\b|\bin danger\b|\boverdos"
        # Said indirectly: the idioms families actually use, none of which has a college meaning.
        r"|\bend it all\b|\bbetter off without (?:me|him|her|them|us)\b"
        r"|\b(?:don't|do not|doesn't|does not|never) feel safe at home\b"
        r"|\btook (?:a bunch of|a lot of|too many|a handful of) (?:\w+ )?(?:pills|tablets)\b"
        # Spanish: wanting to die or not to live, taking one's life, self-harm, unsafe at home.
        r"|\bquier(?:e|o|en) morir|\bno quier(?:e|o|en) (?:seguir )?vivir\b"
        r"|\bquier(?:e|o|en) matar(?:se|me)\b|\bquitar(?:se|me) la vida\b"
        r"|\bquier(?:e|o|en) hacer(?:se|me) daño\b|\bse (?:hace|ha hecho) daño a s[ií] mism[oa]\b"
        r"|\bno (?:est[aá]|estoy|me siento|se siente) segur[oa] en casa\b"
        # French and Chinese: wanting to die or to kill oneself.
        r"|\bveu[tx] mourir\b|\b(?:me|se) tuer\b|\bsuicid|自杀|自殺|想死|不想活"
        r"|\btalk(?:s|ed|ing)? about (?:not waking up|dying|wanting to die|ending it)\b"
    ),
    HUMAN: (
        r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|the|some)?\s*(?:real\s+|actual\s+|live\s+)?"
        r"(?:human|person|counselor|counsellor|advisor|adviser|someone|somebody|staff|people)\b"
        r"|\breal (?:human|person)\b|\bhuman (?:being|please)\b|\bconnect (?:me|us) (?:to|with)\b"
        r"|\b(?:counselor|counsellor|human) please\b|\bget (?:me|us) a (?:human|person|counselor)\b"
        r"|\b(?:person|human|counselor|counsellor|someone|somebody) (?:i|we) (?:can|could) "
        r"(?:talk|speak|chat) (?:to|with)\b"
        # Spanish and French.
        r"|\bhablar con (?:un |una |el |la |alg[uú]n )?(?:consejer[oa]|persona|humano|orientador)"
        r"|\bparler (?:à|avec) (?:un |une |le |la )?(?:conseill[eè]re?|personne|humain)"
    ),
    INJECTION: (
        r"\bignore (?:all |any |the )?(?:previous|prior|above|earlier|your) "
        r"(?:instructions|prompts?|rules)|\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak"
        r"|\bdisregard (?:all |any |the )?(?:previous|prior|above|your)"
        r"|\breveal (?:your |the )?(?:hidden |secret |system )?(?:instructions|prompt|rules)"
        r"|^\s*system\s*:|\byou are now\b|\bpretend (?:to be|you are)\b|\bhidden instructions\b"
        # Asking for the instructions themselves, in the words extraction attempts use.
        r"|\b(?:print|repeat|show|output|tell me|give me|share|list|what are) (?:me )?your "
        r"(?:\w+ )?(?:instructions|prompt|system message|configuration)\b"
        r"|\brepeat (?:the |all (?:of )?(?:the )?)?(?:text|words|lines|messages?|everything) above\b"
        r"|\bcontext window\b|\bforget (?:everything|all|anything)\b[^.!?]{0,30}\b(?:told|instructions)\b"
        r"|\b(?:unrestricted|unfiltered|uncensored) (?:ai|assistant|mode|model|chatbot)\b"
        r"|\byou have no (?:restrictions|rules|guidelines|filters)\b|\bnew instructions\s*:"
        # Role markers pasted into quoted text (indirect injection), anywhere in the message.
        r"|</?\s*(?:system|assistant)\s*>|<\|im_start\|>|[\n.!?:;\"'>\]]\s*system\s*:"
        # The same request in Spanish and French.
        r"|\bignor(?:a|e|ez) (?:todas |toutes )?(?:las |les )?instruc(?:ciones|tions) "
        r"(?:anteriores|previas|précédentes|antérieures)\b"
    ),
    OFF_TOPIC_TASK: (
        r"\b(?:write|do|finish)\s+(?:my|his|her|our|me an?)\s+(?:\w+\s+)?"
        r"(?:essay|homework|assignment|paper|poem)\b"
        r"|\bwrite (?:an?|the) (?:\w+ )?(?:essay|paper|poem) for (?:me|him|her|them|us|my|our)\b"
    ),
}
_COMPILED = {signal: re.compile(pattern) for signal, pattern in _PATTERNS.items()}


# Letters that look Latin but are not (Cyrillic, Greek), and digits or symbols standing in for
# letters: folded before the rules read the text, so "іgnore" (Cyrillic і) or "k1ll mys3lf" reads
# as what it looks like. Only for matching: the stored text keeps what the family typed.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁɡοαεικνρτυ0134579@$",
    "aeopcyxijsdgoaeikvptuoieastgas",
)


def _readings(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    # One space for any run of whitespace: "kill  myself" or a line break inside "ignore
    # previous instructions" must not slip past rules written with single spaces.
    spaced = " ".join(lowered.split())
    # Plain ASCII has no marks to strip (most messages: skip the per-character pass).
    without_marks = (
        spaced
        if spaced.isascii()
        else "".join(
            ch for ch in unicodedata.normalize("NFKD", spaced) if not unicodedata.combining(ch)
        )
    )
    readings = (lowered, spaced, without_marks, without_marks.translate(_LOOK_ALIKES))
    return tuple(dict.fromkeys(readings))  # the same text is searched once


def guard_signals(text: str) -> frozenset[str]:
    """The guard signals present in `text` (already normalized)."""
    readings = _readings(text)
    return frozenset(
        signal
        for signal, pattern in _COMPILED.items()
        if any(pattern.search(reading) for reading in readings)
    )


def without_out_of_lane_parts(text: str) -> str:
    """`text` without its sentences or lines that instruct the coach or ask for homework, so the
    rest of the message (often a real answer) can still be read."""
    parts = re.split(r"(?<=[.!?\n])\s+", text)
    kept = [part for part in parts if not ({INJECTION, OFF_TOPIC_TASK} & guard_signals(part))]
    return text if len(kept) == len(parts) else " ".join(kept)


# --- Input hygiene ---------------------------------------------------------------------------

# Kept from the "invisible" categories: line breaks and tabs. Dropped: control characters, format
# characters (zero-width spaces and joiners, bidi overrides that can make text read backwards in
# the staff inbox, Unicode tag characters that smuggle hidden instructions) and private-use ones.
_KEPT_CONTROLS = frozenset("\n\t")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalize(text: str) -> str:
    """NFKC-normalize and drop invisible characters, so look-alike text reads (and is stored) the
    same as what it looks like: full-width letters become plain ones, hidden characters vanish."""
    if text.isascii():
        # NFKC leaves ASCII as it is; its only invisible characters are the control ones.
        return _ASCII_CONTROLS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES or ch in _KEPT_CONTROLS
    )


# --- Personal numbers ------------------------------------------------------------------------

SSN = "Social Security number"
CARD = "card number"
BANK = "bank account or routing number"

_SSN_SEPARATED = re.compile(r"\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b")
_SSN_IN_CONTEXT = re.compile(
    r"(?i)\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:is|:|#)?\s*(\d{9})\b"
)
_CARD_CANDIDATE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
# Account numbers have no check digit: the word before them says what they are. A routing number
# does have one (ABA), so a number called "routing" is removed only when it is one.
_BANK_IN_CONTEXT = re.compile(
    r"(?i)\b(?P<word>account|acct|routing|aba|checking|savings)\s*(?:number|no\.?|#)?\s*"
    r"(?:is|:)?\s*(?P<number>\d[\d -]{4,20}\d)\b"
)
# Shaped like an IBAN (country, check digits, groups); removed only when its mod-97 check holds,
# so "Order ref AB12 CDEF GHIJ" or "Her ID MA12 3456 7890" stay as written.
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")


def redact_personal_numbers(text: str) -> tuple[str, list[str]]:
    """`text` with SSNs, card numbers and bank numbers replaced by a marker, and the kinds found.

    Cards must pass the Luhn check, IBANs their mod-97 check and routing numbers the ABA check
    (python-stdnum); bare nine-digit SSNs or account numbers need a word saying so: budgets,
    scores, ZIP codes, phone numbers and order references are left alone.
    """
    found: list[str] = []

    def replace(kind: str, group: int | str = 0):
        def substitute(match: re.Match) -> str:
            found.append(kind)
            whole, start = match.group(0), match.start(group) - match.start(0)
            return whole[:start] + f"[{kind} removed]" + whole[start + len(match.group(group)) :]

        return substitute

    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
            return match.group(0)
        found.append(CARD)
        return f"[{CARD} removed]"

    def bank_number(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group("number"))
        if match.group("word").lower() in ("routing", "aba") and not rtn.is_valid(digits):
            return match.group(0)
        return replace(BANK, "number")(match)

    def iban_number(match: re.Match) -> str:
        return replace(BANK)(match) if iban.is_valid(match.group(0)) else match.group(0)

    text = _SSN_SEPARATED.sub(replace(SSN), text)
    text = _SSN_IN_CONTEXT.sub(replace(SSN, 1), text)
    text = _CARD_CANDIDATE.sub(card, text)
    text = _BANK_IN_CONTEXT.sub(bank_number, text)
    text = _IBAN_CANDIDATE.sub(iban_number, text)
    return text, sorted(set(found), key=found.index)
