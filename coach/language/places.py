"""Places in a message, and whether each is where the student lives or where they'd study.

Where the student lives is not where they want to study. A mention is a *home* when the words
say so ("we live in Ohio", "a junior in Ohio", "Residence: Oregon", "rural MN", "outside
Atlanta", "Houston, Texas"), and a *wish* only with wish language ("wants to stay in", "schools
in", "would consider", "anywhere") or when it answers the coach's question about location. A
region ("New England") with no cue is a wish; a single state with no cue is a wish only in a
short answer, never in a self-description. College names ("Ohio State", "University of
Michigan") are not places.
"""

import re
from dataclasses import dataclass

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


def _names_pattern(names) -> re.Pattern:
    return re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"
    )


_STATE_NAME_PATTERN = _names_pattern(STATE_NAMES)
_REGION_PATTERN = _names_pattern(REGIONS)
_AREA_PATTERN = _names_pattern(AREAS)
_CODE_PATTERN = re.compile(r"\b([A-Z]{2})\b")
# "Portland, OR" and "Residence: IN": a code that is also a word, where only a state fits.
_CITY_COMMA_CODE = re.compile(r"[A-Z][a-z]+,\s*$")
_ID_BEFORE = re.compile(r"(?i)\b(?:student|school|photo|my|his|her|their|your|an?|the)\s+$")
_ID_AFTER = re.compile(r"(?i)^\s*(?:#|number\b|no\.|card\b|\d{6,})")
# A state's name inside a college's name.
_COLLEGE_AFTER = re.compile(
    r"^\s+(?:state\s+(?:university|college|uni)\b|tech|a\s*&\s*m|a&m|university|college|poly(?:technic)?|wesleyan|christian|"
    r"southern|northern|baptist|lutheran|methodist|institute|u\b|uni\b)"
)
_COLLEGE_BEFORE = re.compile(
    r"(?:\b(?:university|univ\.?|u|college|state university) of(?: the)?|\b(?:uc|unc|suny|cuny|"
    r"csu|cal state|penn|ut|uw|umass|uconn|usc|upenn|miami|central|eastern|western|northern|"
    r"southern|southeastern|northwestern|southwestern|northeastern) )\s*$"
)

HOME_BEFORE = re.compile(
    r"\b(?:live|lives|living|reside|resides|residing|based|located|grew up|raised|moved|"
    r"we're|we are|i'm|i am|we're from|from|hail from|here|resident|residents|home state is|"
    r"home is|our state is|native of|(?:junior|senior|sophomore|freshman|student|kid|applicant|"
    r"daughter|son|teen|homeschooler)s?(?: at an? [\w -]{1,30}?)?)\s+(?:in|of|from|to|out of)?"
    r"\s*(?:the (?:state|suburbs|outskirts) of\s+)?(?:the\s+)?$"
    r"|\b(?:rural|upstate|downstate|suburban|small[- ]town|inner[- ]city|suburbs of|outside(?: of)?|"
    r"near|metro|greater|coastal|inland|central|northern|southern|eastern|western|north|south|"
    r"east|west|northeast|northwest|southeast|southwest|northeastern|northwestern|southeastern|"
    r"southwestern)\s+$"
)
HOME_AFTER = re.compile(
    r"^(?:\s+|-)(?:kid|student|resident|native|girl|boy|senior|junior|applicant|suburbs?|"
    r"high school|hs|public school|private school|area|born)\b|^\s+\(?(?:in-state|resident)\b"
)
WISH_BEFORE = re.compile(
    r"\b(?:stay|staying|remain|schools?|colleges?|universities|campus(?:es)?|study|studying|"
    r"attend|attending|consider|considering|open to|look(?:ing)? at|look(?:ing)? in|apply|"
    r"applying|prefer|preferably|like|love|somewhere|anywhere|within|move|go|going|head|"
    r"thinking|interested|wants?|hoping|hope|leaning|focus(?:ing)?|only|mostly|mainly|either|"
    r"targeting|aiming|dream)\b[^.;!?\n]{0,40}$"
)
# "Stay in Ohio" says where the family lives too, though less surely than "we live in Ohio".
STAY_BEFORE = re.compile(r"\b(?:stay|staying|remain|remaining)(?: close to home)? in\s+$")
# Words of a location wish without a place: "anywhere", "close to home", "in-state".
ANYWHERE = (
    r"\banywhere\b|\bany state\b|\ball over\b|\bnationwide\b|\bacross the (?:us|u\.s\.|country)\b"
    r"|\bopen to (?:any|all) (?:states|locations|places)\b|\blocation (?:doesn't|does not) matter\b"
)
CLOSE_TO_HOME = re.compile(
    r"\bin[- ]state\b|\bclose to home\b|\bnear home\b|\bstay (?:home|local|close)\b|\blocal\b"
)
# The connectors of an explicit list after a region: "the Northeast, so New York or ..."
_LISTING = re.compile(r"^\W*(?:so|like|such as|e\.?g\.?|i\.?e\.?|namely|specifically|:|\(|-|—)")


def _is_an_id(text: str, match: re.Match) -> bool:
    """ "Student ID 987654321" or "my ID number" is an identity document, not Idaho."""
    if match.group(1) != "ID":
        return False
    return bool(_ID_BEFORE.search(text[: match.start()]) or _ID_AFTER.match(text[match.end() :]))


# "Ohio State" is a university; "Washington state" is where a family lives.
_CAPITAL_STATE_AFTER = re.compile(r"^\s+State\b")


def _in_college_name(original: str, lowered: str, start: int, end: int) -> bool:
    return bool(
        _COLLEGE_AFTER.match(lowered[end:])
        or _CAPITAL_STATE_AFTER.match(original[end:])
        or _COLLEGE_BEFORE.search(lowered[max(0, start - 40) : start])
    )


def place_mentions(original: str, lowered: str, *, field_value: bool = False) -> list[PlaceMention]:
    """Every place `lowered` names, in order, with the cues around it. `field_value`: the text is
    the value of a labelled field ("Residence: OR"), where a lone ambiguous code is a state."""
    mentions: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []

    def add(codes: tuple[str, ...], start: int, end: int, kind: str) -> None:
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        taken.append((start, end))
        if kind != "region" and _in_college_name(original, lowered, start, end):
            return
        before = lowered[max(0, start - 60) : start]
        sentence_before = re.split(r"[.;!?\n]\s", before)[-1]
        mentions.append(
            PlaceMention(
                codes,
                start,
                end,
                kind,
                home_cue=bool(HOME_BEFORE.search(before) or HOME_AFTER.match(lowered[end:])),
                wish_cue=bool(WISH_BEFORE.search(sentence_before)),
            )
        )

    for match in _AREA_PATTERN.finditer(lowered):
        add((AREAS[match.group(1)],), *match.span(), "area")
    for match in _REGION_PATTERN.finditer(lowered):
        # "South Carolina" is a state, not the South; "southwest Ohio" is a part of Ohio.
        if _STATE_NAME_PATTERN.match(lowered, match.start()):
            continue
        following = lowered[match.end() :]
        if _STATE_NAME_PATTERN.match(following.lstrip()) and following[:1] == " ":
            continue
        add(REGIONS[match.group(1)], *match.span(), "region")
    for match in _STATE_NAME_PATTERN.finditer(lowered):
        name = match.group(1)
        code = STATE_NAMES[name]
        if name == "washington" and re.match(r"\s*,?\s*d\.?c\.?\b", lowered[match.end() :]):
            code = "DC"
        add((code,), *match.span(), "state")
    for match in _CODE_PATTERN.finditer(original):
        code = match.group(1)
        if code not in STATE_CODES or _is_an_id(original, match):
            continue
        if code in AMBIGUOUS_CODES and not (
            _CITY_COMMA_CODE.search(original[: match.start()])
            or (field_value and original.strip(" .()*") == code)
        ):
            continue
        add((code,), *match.span(), "state")
    return sorted(mentions, key=lambda mention: mention.start)


def _without_listed_regions(mentions: list[PlaceMention], lowered: str) -> list[PlaceMention]:
    """An explicit list beats a region word: "the Northeast, so New York, Massachusetts or
    Connecticut" is those three states."""
    kept = []
    for index, mention in enumerate(mentions):
        if mention.kind == "region":
            following = [m for m in mentions[index + 1 :] if m.kind != "region"]
            sentence_end = min(
                [i for i in (lowered.find(mark, mention.end) for mark in ".;!?\n") if i != -1]
                or [len(lowered)]
            )
            listed = [m for m in following if m.start < sentence_end]
            if (
                listed
                and _LISTING.match(lowered[mention.end : listed[0].start])
                and all(set(m.codes) <= set(mention.codes) for m in listed)
            ):
                continue
        kept.append(mention)
    return kept


@dataclass(frozen=True)
class PlaceReading:
    home: str | None = None
    wanted: tuple[str, ...] = ()
    # A home read between the lines ("she wants to stay in Ohio"): a weaker, inferred fact.
    inferred_home: str | None = None


def read_places(
    original: str,
    lowered: str,
    *,
    asked: set[str],
    home_known: str | None,
    self_description: bool,
) -> PlaceReading:
    """Home and wished-for states. `self_description`: the text describes the student (a post or
    a long first message) rather than answering a question, so uncued states are not wishes."""
    mentions = _without_listed_regions(place_mentions(original, lowered), lowered)
    home: list[PlaceMention] = []
    wanted: list[PlaceMention] = []
    for mention in mentions:
        single = len(mention.codes) == 1
        if mention.wish_cue and not (mention.home_cue and single and not home):
            wanted.append(mention)
        elif mention.home_cue and single or "home_state" in asked and single and not home:
            home.append(mention)
        elif "location" in asked or mention.kind == "region":
            wanted.append(mention)
        elif mention.kind == "area" and self_description:
            home.append(mention)
        elif mention.kind == "state" and not self_description:
            wanted.append(mention)
    home_code = home[0].codes[0] if home else None
    codes: list[str] = []
    for mention in wanted:
        codes.extend(code for code in mention.codes if code not in codes)
    known_home = home_code or home_known
    if CLOSE_TO_HOME.search(lowered) and known_home and known_home not in codes:
        codes.insert(0, known_home)
    stays = [
        m
        for m in wanted
        if len(m.codes) == 1 and STAY_BEFORE.search(lowered[max(0, m.start - 40) : m.start])
    ]
    inferred = stays[0].codes[0] if stays and len(codes) == 1 and not known_home else None
    return PlaceReading(home=home_code, wanted=tuple(codes), inferred_home=inferred)
