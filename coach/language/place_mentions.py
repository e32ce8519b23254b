"""Places a message mentions (states, regions, areas; not college names or IDs), each with the
cues around it that say whether it is home or a wish. `coach.language.places` decides which.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coach.language.place_cues import (
    CLAUSE_CONTINUES,
    HOME_AFTER,
    HOME_BEFORE,
    HOME_WORDS,
    NOT_WISH_BEFORE,
    PAST_HOME_WORDS,
    STAY_NOT_LEAVE,
    WISH_BEFORE,
    WISH_WORD,
)
from coach.language.vocabulary import AMBIGUOUS_CODES, AREAS, REGIONS, STATE_NAMES
from coach.profile import STATE_CODES


@dataclass(frozen=True)
class PlaceMention:
    codes: tuple[str, ...]
    start: int
    end: int
    kind: str  # "state", "region" or "area" (a part of one state, or one of its cities)
    home_cue: bool
    wish_cue: bool
    # A place to get away from ("get out of New England"): neither home nor wish.
    avoided: bool = False
    # Where the student used to live ("grew up in Michigan").
    past_home: bool = False
    # The word that said it was home ("live", "residence", "daughter"...).
    home_word: str = ""
    # A wish said after the places: "Pennsylvania or Ohio preferred".
    wish_cue_after: bool = False
    # "Anywhere in the South (but would love Atlanta)": the whole region, whatever follows.
    open_to_all: bool = False


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"
    )


_STATE_NAME_PATTERN = _names_pattern(STATE_NAMES)
_REGION_PATTERN = _names_pattern(REGIONS)
_AREA_PATTERN = _names_pattern(AREAS)
_CODE_PATTERN = re.compile(r"\b([A-Z]{2})\b")
# Lower-case codes that are no everyday word, after a word that introduces a place.
_LOWERCASE_CODE = re.compile(
    r"\b(?:in|from|to|near|outside|outside of)\s+(nj|ny|nc|sc|tx|fl|ca|wa|az|nv|nm|ga|va|wv|"
    r"pa|ct|ri|vt|nh|mn|wi|mi|il|ia|mo|ks|nd|sd|mt|wy|ky|tn|ms|ar|ak|dc)\b"
)
# "Portland, OR" and "Residence: IN": a code that is also a word, where only a state fits.
# "Eugene, OR", "Eugene OR", "rural ME": a code that is also a word, after a city or a qualifier.
# "LA or AL", "TX, OK": a code listed with other codes is a state.
_LISTED_WITH_CODES = re.compile(r"\b[A-Z]{2}\s*(?:,|or|and|/|&)\s*[A-Z]{2}\b")
_CITY_COMMA_CODE = re.compile(
    r"[A-Z][a-z]+,?\s+$|\b(?i:rural|upstate|downstate|central|northern|southern|eastern|"
    r"western|coastal|suburban|small[- ]town)\s+$"
)
# "Sioux Falls, SD" and "Greenwich, CT": a city and its state, where someone lives.
_CITY_BEFORE = re.compile(
    r"(?:^|[\s(/|])[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,?\s+$|(?:^|[\s(/|])[A-Z][a-z]+,$"
)
# "UT Austin", "UC Davis" and "Miami (OH)" are colleges, not states.
_COLLEGE_CODE_AFTER = re.compile(r"^\s+[A-Z][a-z]{2,}")
_COLLEGE_CODE_AROUND = re.compile(r"[A-Z][a-z]+\s*\($")
_ID_BEFORE = re.compile(r"(?i)\b(?:student|school|photo|my|his|her|their|your|an?|the)\s+$")
_ID_AFTER = re.compile(r"(?i)^\s*(?:#|number\b|no\.|card\b|\d{6,})")
# A state's name inside a college's name.
_COLLEGE_AFTER = re.compile(
    r"^\s+(?:state\s+(?:university|college|uni)\b|tech|a\s*&\s*m|a&m|university|college|poly(?:technic)?|wesleyan|christian|"
    r"southern|northern|baptist|lutheran|methodist|institute|u\b|uni\b)"
)
_COLLEGE_BEFORE = re.compile(
    r"(?:\b(?:university|univ\.?|u|college|state university) of(?: the)?|\b(?:uc|unc|suny|cuny|"
    r"csu|cal state|penn|ut|uw|umass|uconn|usc|upenn|miami) )\s*$"
)

# "south of Seattle" is a direction, not the South.
_DIRECTION_AFTER = re.compile(r"^\s+of\b")


def _is_an_id(text: str, match: re.Match[str]) -> bool:
    """ "Student ID 987654321" or "my ID number" is an identity document, not Idaho."""
    if match.group(1) != "ID":
        return False
    return bool(_ID_BEFORE.search(text[: match.start()]) or _ID_AFTER.match(text[match.end() :]))


# "Ohio State" is a university; "Washington state" is where a family lives.
_CAPITAL_STATE_AFTER = re.compile(r"^\s+State\b")


_BETWEEN_HOME_AND_PLACE = re.compile(
    r"^(?:[\s,]+(?:in|on|of|at|near|outside|around|a|an|the|small|big|little|tiny|rural|farm|"
    r"ranch|town|city|suburbs?|part|area|county|region|state|[a-z][a-z.'-]*),?){0,5}[\s,(]*$"
)


# Between a home word and a place, these start a list of other places ("home, so Connecticut,
# Massachusetts..."): each place after them is no home.
_LIST_WORDS = re.compile(
    r"\b(?:so|like|such|including|especially|namely|meaning|e\.g|i\.e)\b|"
    + _STATE_NAME_PATTERN.pattern
)


_PLACE_NOUN = re.compile(r"town|city|suburbs?|burbs|village|county|farm|ranch|area|part|outskirts")


_NOT_A_HOME_FROM = re.compile(
    r"\b(?:rejected|accepted|deferred|waitlisted|admitted|denied|offers?|letters?|emails?|"
    r"scholarships?|money|aid|mail|heard back|hear back|transferr?(?:ed|ing)?)\s+$"
)


def _home_word_before(lowered: str, start: int) -> str | None:
    """The word saying where the student lives ("live", "from", "a junior", "grew up") when the
    place at `start` follows it within a few words of its own sentence, with no wish or verb of
    wanting between ("I'm thinking California" is no home)."""
    sentence = re.split(r"[.;!?\n]\s", lowered[max(0, start - 60) : start])[-1]
    found = list(HOME_WORDS.finditer(sentence))
    if not found:
        return None
    last = found[-1]
    between = sentence[last.end() :]
    if last.group(0) == "from" and _NOT_A_HOME_FROM.search(sentence[: last.start()]):
        return None  # "rejected from Michigan", "a scholarship from Ohio State"
    if (
        last.group(0) == "home"
        and re.search(
            r"\b(?:close to|near|far from|away from|from|of)\s+$", sentence[: last.start()]
        )
        and not re.match(r"\s+in\b", between)
    ):
        return None  # "stay close to home (WV or VA)": a wish measured from home
    if WISH_BEFORE.search(sentence[last.start() :]) and WISH_WORD.search(between):
        return None
    # "would love to be in a city somewhere in the West": the place noun is part of a wish (a
    # verb such as "live" after a wish is not: "want to major in bio, live in North Carolina").
    clause = re.split(r"[,;:(]", sentence[: last.start()])[-1]
    if _PLACE_NOUN.fullmatch(last.group(0)) and re.search(
        r"\b(?:want|wants|wanna|love|like|prefer|prefers|hope|hoping|looking for)\b", clause
    ):
        return None
    if not _BETWEEN_HOME_AND_PLACE.match(between) or _LIST_WORDS.search(between):
        return None
    return last.group(0)


def _clause_before(lowered: str, start: int) -> str:
    """The words before `start` in its clause; a clause opening with "so", "like", "or"...
    carries on the one before it."""
    sentence = re.split(r"[.;!?\n]\s", lowered[max(0, start - 120) : start])[-1]
    clauses = re.split(r"[,(]", sentence)
    kept = [clauses.pop()]
    # A place opening its clause right after a wish ("stay close, New York or New Jersey") or a
    # clause opening with "so", "like", "or"... carries on the clause before.
    while clauses and (CLAUSE_CONTINUES.match(kept[0]) or not kept[0].strip()):
        kept.insert(0, clauses.pop())
    return ",".join(kept)


def _in_college_name(original: str, lowered: str, start: int, end: int) -> bool:
    return bool(
        _COLLEGE_AFTER.match(lowered[end:])
        or _CAPITAL_STATE_AFTER.match(original[end:])
        or _COLLEGE_BEFORE.search(lowered[max(0, start - 40) : start])
    )


# The writer speaking of themself: when a grandparent or a counselor writes for a student, "I live
# in Tucson" and "I'd love him closer to me in Arizona" are not the student's home or wish.
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|im|i am|i've|i'd|i'll|me|we|we're|we are|we've|we'd|us|our)\b"
)
STRONG_HOME_WORDS = re.compile(
    r"live|lives|living|reside\w*|residence|resident|residents|based|located|moved|from|here|"
    r"home|we're|we are|i'm|im|i am"
)
# "Pennsylvania or Ohio preferred", "Texas is best": a wish said after the places.
_WISH_AFTER = re.compile(
    r"^\s*(?:(?:is|are|would be|seems?)\s+)?(?:preferred|preferably|ideal|best|first choice|"
    r"a must|only|please)\b"
)
_WRITER_ALONE = re.compile(r"\b(?:i|i'm|im|i am|i've|me|my)\b")
_RESIDENCE_WORDS = re.compile(
    r"live|lives|living|lived|reside\w*|from|hail from|moved|based|located|home|here|i'm|im|"
    r"i am|we're|we are"
)


def place_mentions(
    original: str, lowered: str, *, field_value: bool = False, writer_is_other: bool = False
) -> list[PlaceMention]:
    """Every place `lowered` names, in order, with the cues around it. `field_value`: the text is
    the value of a labelled field ("Residence: OR"), where a lone ambiguous code is a state.
    `writer_is_other`: someone other than the family writes (a grandparent, a counselor).

    Areas are found first, then regions, state names and codes; a span already taken by an
    earlier find is not read again ("New Mexico" is not also "Mexico")."""
    mentions: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []
    for codes, start, end, kind in _candidates(original, lowered, field_value):
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            continue
        taken.append((start, end))
        if kind == _SPAN_ONLY:
            continue
        if kind != "region" and _in_college_name(original, lowered, start, end):
            continue
        mentions.append(_with_cues(codes, start, end, kind, original, lowered, writer_is_other))
    return sorted(mentions, key=lambda mention: mention.start)


# A candidate that only takes its span: "Miami (OH)" is a college, and neither Florida nor Ohio.
_SPAN_ONLY = "span_only"
_Candidate = tuple[tuple[str, ...], int, int, str]


def _candidates(original: str, lowered: str, field_value: bool) -> Iterator[_Candidate]:
    yield from _areas(lowered)
    yield from _regions(original, lowered)
    for match in _STATE_NAME_PATTERN.finditer(lowered):
        name = match.group(1)
        code = STATE_NAMES[name]
        if name == "washington" and re.match(r"\s*,?\s*d\.?c\.?\b", lowered[match.end() :]):
            code = "DC"
        yield (code,), *match.span(), "state"
    for match in _LOWERCASE_CODE.finditer(lowered):
        # "we're in nj", "moving to nc": a lower-case code right after "in", "from" or "to".
        yield (match.group(1).upper(),), *match.span(1), "state"
    yield from _codes(original, field_value)


def _areas(lowered: str) -> Iterator[_Candidate]:
    for match in _AREA_PATTERN.finditer(lowered):
        code = AREAS[match.group(1)]
        in_parentheses = re.match(r"\s*\(\s*([a-z]{2})\s*\)", lowered[match.end() :])
        if in_parentheses and in_parentheses.group(1).upper() != code:
            yield (), *match.span(), _SPAN_ONLY
        else:
            yield (code,), *match.span(), "area"


def _regions(original: str, lowered: str) -> Iterator[_Candidate]:
    for match in _REGION_PATTERN.finditer(lowered):
        # "South Carolina" is a state, not the South; "southwest Ohio" is a part of Ohio.
        if _STATE_NAME_PATTERN.match(lowered, match.start()):
            continue
        following = lowered[match.end() :]
        if following[:1] == " " and (
            _STATE_NAME_PATTERN.match(following.lstrip())
            or re.match(r"\s+[A-Z]{2}\b", original[match.end() :])
        ):
            continue  # "southwest Ohio", "southwest VA": a part of a state
        if _DIRECTION_AFTER.match(following):
            continue
        yield REGIONS[match.group(1)], *match.span(), "region"


def _codes(original: str, field_value: bool) -> Iterator[_Candidate]:
    """Upper-case state codes that mean a state here: not an ID, a college's initials or a
    physician assistant; an ambiguous one ("IN", "OR", "ME") only where it can be nothing else."""
    for match in _CODE_PATTERN.finditer(original):
        code = match.group(1)
        if code not in STATE_CODES or _is_an_id(original, match):
            continue
        if _COLLEGE_CODE_AFTER.match(original[match.end() :]) or _COLLEGE_CODE_AROUND.search(
            original[: match.start()]
        ):
            continue
        if code == "PA" and re.match(r"\s+(?:school|program)\b", original[match.end() :]):
            continue  # physician assistant school
        if code in AMBIGUOUS_CODES and not (
            _CITY_COMMA_CODE.search(original[max(0, match.start() - 40) : match.start()])
            or (field_value and original.strip(" .()*") == code)
            or _LISTED_WITH_CODES.search(original[max(0, match.start() - 12) : match.end() + 12])
        ):
            continue
        city = _CITY_BEFORE.search(original[max(0, match.start() - 40) : match.start()])
        yield (code,), *match.span(), "area" if city else "state"


def _with_cues(
    codes: tuple[str, ...],
    start: int,
    end: int,
    kind: str,
    original: str,
    lowered: str,
    writer_is_other: bool,
) -> PlaceMention:
    """The place at `start:end` with the words around it: home, wish, avoided."""
    before = lowered[max(0, start - 60) : start]
    avoided = bool(NOT_WISH_BEFORE.search(before)) and not STAY_NOT_LEAVE.search(before)
    home_word = _home_word_before(lowered, start)
    clause = _clause_before(lowered, start)
    wished = bool(WISH_BEFORE.search(clause)) and not avoided
    if writer_is_other:
        at = before.rfind(home_word) if home_word else -1
        # The subject just before the home word: "I live in Tucson" is the writer's home;
        # "she lives with me in Mississippi" is the student's.
        # "I live in Tucson" is the writer's; "we live in Georgia" is the household's.
        own_home = _WRITER_ALONE.fullmatch(home_word or "") or _WRITER_ALONE.search(
            before[max(0, at - 10) : at]
        )
        # A counselor's school is the student's too; a grandparent's home is not.
        if home_word and own_home and _RESIDENCE_WORDS.fullmatch(home_word):
            home_word, avoided = None, True
        if _FIRST_PERSON.search(re.split(r"[,(]", clause)[-1]):
            wished = False
        # "with us in Idaho", "closer to me in Arizona": the writer's own place.
        if not home_word and re.search(r"\b(?:us|me)\s+in\s+(?:the\s+)?$", before):
            avoided = True
    return PlaceMention(
        codes,
        start,
        end,
        kind,
        home_cue=bool(home_word or HOME_BEFORE.search(before) or HOME_AFTER.match(lowered[end:])),
        wish_cue=wished,
        avoided=avoided,
        past_home=bool(home_word and PAST_HOME_WORDS.fullmatch(home_word)),
        home_word=home_word or "",
        wish_cue_after=bool(_WISH_AFTER.match(lowered[end:])),
        open_to_all=bool(re.search(r"\banywhere in\s+(?:the\s+)?$", before)),
    )
