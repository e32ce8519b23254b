"""Misspelled words the readers depend on: "buisness", "conneticut", "unweigted".

Only words of six letters or more are corrected, only to a word the readers know (a state, a
field of study, a GPA word), only when the spelling is close (difflib's ratio ≥ 0.85) and shares
the first two letters, and never when the word is a longer word built on the known one
("histories", "Georgian", "agricultural"). Everything else is left as the family wrote it; the
stored message never changes.
"""

import difflib
import functools
import os
import re

from coach.language.vocabulary import STATE_NAMES

FIELD_WORDS = (
    "accounting",
    "agriculture",
    "anthropology",
    "architecture",
    "biochemistry",
    "biology",
    "business",
    "chemistry",
    "communications",
    "computer",
    "criminal",
    "criminology",
    "economics",
    "education",
    "elementary",
    "engineering",
    "english",
    "environmental",
    "finance",
    "forestry",
    "geology",
    "history",
    "journalism",
    "kinesiology",
    "marketing",
    "mathematics",
    "mechanical",
    "neuroscience",
    "nursing",
    "philosophy",
    "physics",
    "political",
    "psychology",
    "science",
    "sociology",
    "statistics",
    "undecided",
)
GPA_WORDS = ("unweighted", "weighted")
KNOWN_WORDS: tuple[str, ...] = tuple(
    sorted(
        {
            *(name for name in STATE_NAMES if " " not in name and len(name) >= 6),
            *FIELD_WORDS,
            *GPA_WORDS,
        }
    )
)
_BY_PREFIX: dict[str, tuple[str, ...]] = {}
for _word in KNOWN_WORDS:
    _BY_PREFIX[_word[:2]] = (*_BY_PREFIX.get(_word[:2], ()), _word)
MIN_LENGTH = 6
CUTOFF = 0.85
_TOKEN = re.compile(r"[A-Za-z]{6,}")


def _derived_from(token: str, word: str) -> bool:
    """ "histories", "Georgian", "agricultural", "Indian": a word built on a known one, or the
    known one built on it."""
    if word.startswith(token) or len(os.path.commonprefix([token, word])) >= len(word) - 1:
        return True  # "Indian", "Indians": only the ending differs from "Indiana"
    return len(token) > len(word) and len(os.path.commonprefix([token, word])) >= len(word) - 2


@functools.lru_cache(maxsize=4096)
def _corrected(token: str) -> str | None:
    lowered = token.lower()
    candidates = [
        word
        for word in _BY_PREFIX.get(lowered[:2], ())
        if abs(len(word) - len(lowered)) <= 2 and not _derived_from(lowered, word)
    ]
    if not candidates or lowered in KNOWN_WORDS:
        return None
    best = difflib.get_close_matches(lowered, candidates, n=1, cutoff=CUTOFF)
    if not best:
        return None
    return best[0].capitalize() if token[0].isupper() else best[0]


def corrected_spelling(text: str) -> str:
    """`text` with misspellings of known words corrected, everything else untouched."""

    def replace(match: re.Match) -> str:
        return _corrected(match.group(0)) or match.group(0)

    return _TOKEN.sub(replace, text)
