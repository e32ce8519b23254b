"""Self-descriptions in the shape students post them: labelled fields and sections.

"**Demographics** / * Residence: Oregon / * Income Bracket: ~90k / **Intended Major(s)**:
Biology / GPA (UW/W): 3.84/4.31 / SAT I: 1410 (690 RW, 720 M)". A field's label says what its value
is, so the value is read for that slot alone; labels such as "Race/Ethnicity", "Hooks" or "Rank"
are never facts, and sections that list activities, awards or admission decisions are left out
entirely (a decisions list names colleges and states that say nothing about the student).
"""

import functools
import re
from dataclasses import dataclass, field

# What a field's label says its value is.
FIELD_KINDS: tuple[tuple[str, str], ...] = (
    (r"residence|state|home|home state|hometown|from|lives? in|area|region|address", "home"),
    # "Location:" is where the student lives in some posts and where they want to be in others.
    (r"location|loc|where", "location"),
    (r"demographics?|background|about me|profile|basic info", "demographics"),
    (
        r"(?:household |family |parents'? )?income(?: bracket| level| range)?|finances?|financial",
        "income",
    ),
    (r"budget|cost|price range|what we can pay|ability to pay", "budget"),
    (
        r"(?:intended |prospective |planned |potential )?(?:major|field|area of study|program)\(?s?\)?(?: of interest)?|majors?|academic interests?|intended|intended field|applying for|applied for",
        "major",
    ),
    (
        r"uw\s*/\s*w|w\s*/\s*uw|(?:unweighted |weighted |uw |w |cumulative )?gpa(?: \(?(?:uw|w|unweighted|weighted)(?:\s*/\s*(?:uw|w|unweighted|weighted))?\)?)?|grades",
        "gpa",
    ),
    (
        r"(?:standardized )?test(?:ing| scores?)?|scores?|sat(?: i)?(?:\s*/\s*act)?|act(?:\s*/\s*sat)?|sat/act|act/sat|superscore",
        "scores",
    ),
    (
        r"preferences?|(?:what )?(?:(?:i'm|i am|we're|we are|she's|he's) )?looking for|wants?|goals?|target(?: schools| states)?|where (?:i|we|she|he|they)(?:'d| would) like to go",
        "wishes",
    ),
)
# A "Location:" or "Where:" field in these words says what the student wants, not where they live.
WISH_WORDS = re.compile(
    r"\b(?:want|wants|wanna|hoping|hope|prefer|prefers|would like|looking|open to|considering|"
    r"somewhere|anywhere|stay|staying|go to|interested)\b"
)
# ...and in these words says where they live: read as a sentence ("stationed in Germany").
RESIDENCE_WORDS = re.compile(r"\b(?:stationed|live|lives|living|moved|from|reside\w*)\b")
# Labels and section headers whose content is never a fact about the slots.
IGNORED_LABELS = re.compile(
    r"^(?:gender|sex|race|ethnicity|race/ethnicity|race\s*/\s*ethnicity|hooks?|rank|class rank|"
    r"interests?|hobbies|applying|applying to|applied|applied to|schools|colleges|visited|visits|"
    r"auditions|college list|my list|list|schools? applied|schools? visited|"
    r"type of school|school type|high school|school|hs|ap|ib|ap/ib|ap\s*/\s*ib|aps?|ibs?|honors|"
    r"courses?|coursework|course rigor|rigor|first gen|first-gen|legacy|citizenship|sexuality|"
    r"age|grade|year|class|languages? spoken|psat|nmsqt|national merit|recs?|lors?|"
    r"letters? of rec\w*|counselor rec\w*|teacher rec\w*|interviews?|essays?|personal statement|"
    r"supplements?|additional information|additional info|"
    r"ec'?s|extracurriculars?|activities|awards?|honors?/awards?|awards?/honors?|jobs?|work|"
    r"volunteering|summer|summer programs?|research|athletics|sports|clubs|leadership|"
    r"decisions?|results?|acceptances?|accepted|admitted|rejections?|rejected|denied|"
    r"waitlists?|waitlisted|deferrals?|deferred|deferred then accepted|committed|attending|"
    r"early decision|early action|regular decision|ed|ea|rd|rea|ed2|scea|applied|"
    r"where i applied|schools applied|college list|reflection|reflections|advice|"
    r"senior year courseload|intended college|school list)$"
)
# Sections whose every line is left out until the next known header.
SKIPPED_SECTIONS = re.compile(
    r"^(?:ec'?s|extracurriculars?|activities|awards?|honors|honors?/awards?|awards?/honors?|"
    r"decisions?|results?|acceptances?|rejections?|waitlists?|deferrals?|essays?|"
    r"letters? of rec\w*|recs?|lors?|interviews?|reflection|reflections|advice|"
    r"additional information|additional info|coursework|courses|ap/ib|ap\s*/\s*ib|"
    r"where i applied|college list|schools applied|applications?|"
    r"early decision|early action|regular decision|summer|jobs?|work experience|"
    r"accepted|rejected|waitlisted|deferred|admitted|denied|committed)\b"
)
_KNOWN_HEADER = re.compile(
    r"^(?:demographics?|(?:intended |prospective )?majors?(?:\s*\(s\))?|academics?|"
    r"academic (?:stats|profile)|stats|standardized testing|testing|tests?|test scores|scores|income|"
    r"finances?|background|about me|profile|education)$"
)
_MARKUP = re.compile(r"^\s*(?:[*\-•+>#]+\s*|\d{1,2}[.)]\s+)|\*\*|__|~~|`")
_FIELD = re.compile(
    r"^(?P<label>[a-z][a-z0-9 '/()&+.#-]{0,40}?)\s*(?:[:=|]|\s[-–]\s)\s*(?P<value>.*)$"
)
# The student's own school ("School: small public high school in rural Iowa") tells where they
# live, though nothing else in it is a fact.
SCHOOL_LABELS = re.compile(r"^(?:school|high school|hs|type of school|school type)$")


@dataclass
class Segmented:
    """A message split into labelled fields (kind → values) and the prose between them."""

    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, label, value)
    prose: list[str] = field(default_factory=list)
    is_post: bool = False


_COMPILED_FIELD_KINDS = [(re.compile(pattern), kind) for pattern, kind in FIELD_KINDS]
_BOLD = re.compile(r"\*\*|__")


@functools.lru_cache(maxsize=1024)
def _field_kind(label: str) -> str | None:
    label = label.strip(" ()")
    for pattern, kind in _COMPILED_FIELD_KINDS:
        if pattern.fullmatch(label):
            return kind
    return None


# "3.7/1350/CS/TX/80k" and "3.52 UW / 1290 SAT / nursing / OH": a profile as one line of stats.
_STAT_RUN = re.compile(r"(?<!\S)[^\s/]+(?:/[^\s/]+){3,}(?!\S)")
_PIECE_BREAK = re.compile(r"\s[|•]\s")
# A piece of such a line that is only a number: a GPA, or an SAT total.
_BARE_GPA = re.compile(r"~?[0-4]\.\d{1,2}\s*(?:uw|unweighted|gpa)?")
_BARE_SAT = re.compile(r"(?:sat\s*)?(?:1[0-5]\d{2}|1600|[4-9]\d{2})(?:\s*sat)?")


def _stat_lines(text: str) -> list[list[str]]:
    """Each physical line of `text` as its pieces: a line of stats separated by pipes, bullets or
    slashes is one piece per stat."""
    lines = []
    for line in text.split("\n"):
        if line.count("/") >= 3:
            line = _STAT_RUN.sub(lambda match: " | ".join(match.group(0).split("/")), line)
            if line.count(" / ") >= 3:
                line = line.replace(" / ", " | ")
        lines.append(_PIECE_BREAK.split(line))
    return lines


def _sentences_of_fields(line: str) -> list[str]:
    if ". " not in line:
        return [line]
    parts = re.split(r"(?<=[A-Za-z0-9)])\.\s+(?=[A-Z])", line)
    labelled = sum(bool(_FIELD.match(_MARKUP.sub("", part).strip().lower())) for part in parts)
    return parts if len(parts) > 1 and labelled >= 2 else [line]


def segment(text: str) -> Segmented:
    """Split `text` (normalized, original case) into fields and prose, line by line."""
    physical_lines = _stat_lines(text)
    # "3.2 UW | 1150 SAT | Marketing | Ohio": a profile in one line is a post too.
    reader = _PostReader(Segmented(is_post=any(len(pieces) >= 3 for pieces in physical_lines)))
    for line in _logical_lines(physical_lines):
        reader.read(line)
    return reader.result


def _logical_lines(physical_lines: list[list[str]]) -> list[str]:
    lines = []
    for pieces in physical_lines:
        # "Intended major: Psychology. UW 3.62 / W 4.1. Home state: Washington.": sentences of
        # one line, each read on its own when the line holds more than one label.
        pieces = [part for piece in pieces for part in _sentences_of_fields(piece)]
        # "Demographics: F | white | rural ME | ~45k": the pieces after a label belong to it.
        first = len(pieces) > 1 and _FIELD.match(_MARKUP.sub("", pieces[0]).strip().lower())
        carries = first and _field_kind(first.group("label").strip()) == "demographics"
        lines.append(pieces[0])
        lines.extend(f"demographics: {piece}" if carries else piece for piece in pieces[1:])
    return lines


@dataclass
class _PostReader:
    """Reads a message line by line, remembering the section it is in: one left out ("ECs:")
    until the next known header, or a Demographics section whose lines are its fields."""

    result: Segmented
    skipping: bool = False
    section: str = ""

    def read(self, raw_line: str) -> None:
        line = _BOLD.sub("", _MARKUP.sub("", raw_line).strip()).strip()
        if not line:
            return
        lowered = line.lower()
        if self._header(lowered):
            return
        match = _FIELD.match(lowered)
        if match and self._labelled(line, lowered, match):
            return
        if self.skipping:
            return
        result = self.result
        if self.section == "demographics":
            # "Female, Hispanic, Colorado, ~120k" under a Demographics header.
            result.fields.append(("demographics", "demographics", line))
        elif result.is_post and _BARE_GPA.fullmatch(lowered):
            result.fields.append(("gpa", "gpa", line))
        elif result.is_post and _BARE_SAT.fullmatch(lowered):
            result.fields.append(("scores", "sat", line))
        else:
            result.prose.append(line)

    def _header(self, lowered: str) -> bool:
        """A section header: one left out, or one known (which ends a left-out section)."""
        header = lowered.rstrip(":").strip()
        if SKIPPED_SECTIONS.match(header) and (len(header.split()) <= 4 or ":" in lowered[:40]):
            # A header alone ("**Decisions**", "ECs:") opens a section left out until the next
            # known header; "ECs: robotics, band" is one line left out.
            self.result.is_post = True
            if not re.search(r":\s*\S", lowered):
                self.skipping = True
                self.section = ""
            return True
        if _KNOWN_HEADER.match(header) and len(header.split()) <= 4 and ":" not in lowered[:-1]:
            self.skipping = False
            self.result.is_post = True
            demographic = header.startswith(("demographic", "background"))
            self.section = "demographics" if demographic else ""
            return True
        return False

    def _labelled(self, line: str, lowered: str, match: re.Match[str]) -> bool:
        """A "Label: value" line; False when its label is none the reader knows (the line is
        then read as any other)."""
        result = self.result
        label = match.group("label").strip()
        kind = _field_kind(label)
        ignored = bool(IGNORED_LABELS.match(label.strip(" ()")))
        if kind or ignored:
            self.skipping = False
        value = line[len(line) - len(match.group("value")) :]
        if kind:
            result.is_post = True
            if kind not in {"home", "demographics", "income"}:
                self.section = ""
            self._field(kind, label, value, line)
            return True
        value_only = lowered[len(lowered) - len(match.group("value")) :].strip()
        if result.is_post and _BARE_GPA.fullmatch(value_only):
            result.fields.append(("gpa", label, value_only))  # "stats: 3.7"
            return True
        if ignored:
            result.is_post = True
            if SCHOOL_LABELS.match(label.strip(" ()")):
                result.fields.append(("school", label, value))
            return True
        return False

    def _field(self, kind: str, label: str, value: str, line: str) -> None:
        if (
            kind == "wishes"
            or (kind in {"home", "location"} and WISH_WORDS.search(value.lower()))
            or (kind == "location" and RESIDENCE_WORDS.search(value.lower()))
        ):
            # "Location: I want to stay in Alaska or go to Washington" and "Want: New
            # England or New York" say what the student wants: read as sentences.
            self.result.prose.append(f"{label}: {value}" if kind == "wishes" else value)
        elif kind == "budget":
            # "Budget: full pay. Dad says anywhere is fine": a sentence, label and all.
            self.result.prose.append(line)
        else:
            self.result.fields.append((kind, label, value))
