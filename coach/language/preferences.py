"""Reading the size and setting of school the family wants."""

import re

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


def read_size(lowered: str, *, asked: bool) -> str | None:
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


def read_setting(lowered: str, *, asked: bool) -> str | None:
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
