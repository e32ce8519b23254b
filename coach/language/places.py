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
from dataclasses import dataclass, replace

from coach.language.place_cues import CLOSE_TO_HOME, LEAVING_BEFORE, STAY_BEFORE
from coach.language.place_mentions import STRONG_HOME_WORDS, PlaceMention, place_mentions


def _alone_in_clause(lowered: str, mention: PlaceMention) -> bool:
    """The place is all there is between its commas or stops: "..., 1520 sat, connecticut."."""
    before = re.split(r"[,.;:\n|/]", lowered[: mention.start])[-1]
    after = re.split(r"[,.;:\n|/]", lowered[mention.end :])[0]
    return not (before.strip() or after.strip())


def _without_listed_regions(wanted: list[PlaceMention]) -> list[PlaceMention]:
    """An explicit list beats a region word: "the Northeast, so New York, Massachusetts or
    Connecticut" is those three states, and so is "Arizona, New Mexico or Texas. He'd love to stay
    in the Southwest" (when every state wished for lies in the region)."""
    listed = [m for m in wanted if m.kind == "state"]
    return [
        mention
        for mention in wanted
        if not (
            mention.kind == "region"
            and not mention.open_to_all
            and listed
            and all(set(m.codes) <= set(mention.codes) for m in listed)
        )
    ]


_LIST_BETWEEN = (
    r"\s*(?:,|/|&|or|and|,\s*or|,\s*and)\s*(?:maybe |possibly |also |perhaps )?"
    r"(?:(?:north|south|east|west|northern|southern|eastern|western|central|upstate|downstate|"
    r"northeast|northwest|southeast|southwest)(?:ern)? )?"
)


def _with_inherited_cues(mentions: list[PlaceMention], lowered: str) -> list[PlaceMention]:
    """A place listed after another ("Michigan or Ohio", "Houston, Texas", "PNW (Washington)")
    shares its cues."""
    result: list[PlaceMention] = []
    for mention in mentions:
        previous = result[-1] if result else None
        if previous is None:
            result.append(mention)
            continue
        between = lowered[previous.end : mention.start]
        same_place = re.fullmatch(r",?\s*", between) and previous.kind == "area"
        if same_place:
            # "Houston, Texas": the state of a city named just before, read as the city is;
            # "Kansas City, Kansas": the state named outright decides which city it was.
            mention = replace(
                mention, kind="area", home_cue=previous.home_cue, wish_cue=previous.wish_cue
            )
            if mention.codes != previous.codes:
                result.pop()
        elif not (mention.home_cue or mention.wish_cue):
            listed = re.fullmatch(_LIST_BETWEEN, between)
            inside = re.fullmatch(r"\s*\(\s*", between) and set(mention.codes) <= set(
                previous.codes
            )
            if listed or inside:
                mention = replace(mention, home_cue=previous.home_cue, wish_cue=previous.wish_cue)
        result.append(mention)
    # "Pennsylvania or Ohio preferred": the wish said after the last carries back over the list.
    for index in range(len(result) - 1, -1, -1):
        mention = result[index]
        following = result[index + 1] if index + 1 < len(result) else None
        if mention.wish_cue_after or (
            following is not None
            and following.wish_cue
            and following.wish_cue_after
            and re.fullmatch(_LIST_BETWEEN, lowered[mention.end : following.start])
        ):
            result[index] = replace(mention, wish_cue=True, wish_cue_after=True)
    return result


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
    describes_student: bool = False,
    writer_is_other: bool = False,
) -> PlaceReading:
    """Home and wished-for states. `self_description`: the text describes the student (a post or
    a long first message) rather than answering a question, so uncued states are not wishes.
    `describes_student`: it states grades or a major, so a city named in it is where they live."""
    mentions = _with_inherited_cues(
        place_mentions(original, lowered, writer_is_other=writer_is_other), lowered
    )
    home, wanted = _home_and_wanted(
        mentions,
        lowered,
        asked=asked,
        self_description=self_description,
        describes_student=describes_student,
    )
    # A place said to be home outranks a city named in passing.
    # A place said to be where the student lives ("primary residence", "we live") outranks one
    # said of a person ("our daughter ... her mom in Kansas City").
    home.sort(
        key=lambda mention: (
            not mention.home_cue,
            mention.past_home,
            not STRONG_HOME_WORDS.fullmatch(mention.home_word),
        )
    )
    home_code = home[0].codes[0] if home else None
    codes: list[str] = []
    for mention in _without_listed_regions(wanted):
        codes.extend(code for code in mention.codes if code not in codes)
    known_home = home_code or home_known
    if CLOSE_TO_HOME.search(lowered) and known_home and known_home not in codes:
        codes.insert(0, known_home)
    inferred = None
    if not known_home:
        inferred = _inferred_home(mentions, wanted, codes, lowered, writer_is_other)
    return PlaceReading(home=home_code, wanted=tuple(codes), inferred_home=inferred)


def _home_and_wanted(
    mentions: list[PlaceMention],
    lowered: str,
    *,
    asked: set[str],
    self_description: bool,
    describes_student: bool,
) -> tuple[list[PlaceMention], list[PlaceMention]]:
    """The places said to be home, and those wished for, in the order they are named."""
    home: list[PlaceMention] = []
    wanted: list[PlaceMention] = []
    for mention in mentions:
        single = len(mention.codes) == 1
        if mention.avoided or (mention.home_cue and not single and not mention.wish_cue):
            continue  # a place to leave, or a region the family lives in ("PNW kid here")
        # "Ohio" on a line of its own in a profile, or alone between commas in a line of stats
        # beside a wish said elsewhere ("1520 sat, connecticut. ... only want schools in the
        # northeast"), is where the student lives.
        uncued = single and not (mention.home_cue or mention.wish_cue)
        if uncued and (
            (self_description and _alone_on_its_line(lowered, mention))
            or (_alone_in_clause(lowered, mention) and any(m.wish_cue for m in mentions))
        ):
            home.append(mention)
            continue
        staying = STAY_BEFORE.search(lowered[max(0, mention.start - 40) : mention.start])
        if mention.wish_cue and mention.home_cue and single and staying and not home:
            home.append(mention)  # "she wants to stay here in Arizona": home, and a wish
            wanted.append(mention)
        elif mention.wish_cue and not (mention.home_cue and single and not home):
            wanted.append(mention)
        elif mention.home_cue and single or "home_state" in asked and single and not home:
            home.append(mention)
        elif "location" in asked or mention.kind == "region":
            wanted.append(mention)
        elif mention.kind == "area" and (self_description or describes_student):
            home.append(mention)
        elif mention.kind == "state" and not self_description:
            wanted.append(mention)
    return home, wanted


def _alone_on_its_line(lowered: str, mention: PlaceMention) -> bool:
    line_start = lowered.rfind("\n", 0, mention.start) + 1
    line_end = lowered.find("\n", mention.end)
    line = lowered[line_start : line_end if line_end != -1 else len(lowered)]
    name = lowered[mention.start : mention.end]
    return bool(re.fullmatch(r"[\W\d]*", line.replace(name, "")))


def _inferred_home(
    mentions: list[PlaceMention],
    wanted: list[PlaceMention],
    codes: list[str],
    lowered: str,
    writer_is_other: bool,
) -> str | None:
    """Home read from a wish when no home is known: the one state the family would stay in, or
    the state they want to leave ("just want to get out of Ohio" is, most likely, home)."""
    stays = [
        m
        for m in wanted
        if len(m.codes) == 1 and STAY_BEFORE.search(lowered[max(0, m.start - 40) : m.start])
    ]
    if stays and len(codes) == 1:
        return stays[0].codes[0]
    left = [
        m
        for m in mentions
        if m.avoided
        and len(m.codes) == 1
        and m.kind != "region"
        and LEAVING_BEFORE.search(lowered[max(0, m.start - 30) : m.start])
    ]
    if left and not writer_is_other:
        return left[0].codes[0]
    return None
