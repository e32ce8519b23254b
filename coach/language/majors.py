"""Reading the student's intended major (or that they are undecided) from what the family wrote."""

import bisect
import re

from coach.language.clauses import clause_spans, matches_any
from coach.language.major_phrases import MAJOR_PHRASES

# --- Majors, size, setting -------------------------------------------------------------------

_UNDECIDED = (
    r"\bundecided\b|\bundeclared\b|\bnot sure what (?:to study|to major in|major|she wants|he wants|they want)"
    r"|\b(?:isn't|is not|aren't|not) sure (?:what|which) (?:to study|major|field)"
    r"|\b(?:doesn't|does not|don't|do not) know (?:what|which) (?:\w+ ){0,3}?(?:to study|major|field|wants? to study)"
    r"|\bno idea what (?:to study|major)|\bhasn't decided\b|\bhas not decided\b|\bstill exploring\b"
    r"|\b(?:no (?:clue|idea)|zero (?:clue|idea)|not a clue|not sure|idk|don't know|do not know)\b"
    r"[^.;]{0,20}\b(?:major|study|studying)\b"
    r"|\bopen to any major\b"
)
_STUDY_CUE = (
    r"\b(stud(y|ies|ying)|major|majoring|degree|program|wants? to be|interested in|into|loves?|"
    r"(?:wanna|want to|wants to|going to|gonna|would like to|like to) do|"
    r"apply|applying|applied|leaning|between|"
    r"passion|pursue|career in|field|track|focus)\b"
    # "I want to go OOS for film": going somewhere for a subject.
    r"|\b(?:go|going|head|heading|schools?|colleges?|programs?)\b[^.,;]{0,20}\bfor\b"
)
# Everyday words that also mean other things: they name a major only with a study cue nearby,
# when the major was asked, or standing alone as a short clause ("Psychology, GPA 3.1").
_WEAK_MAJOR_WORDS = re.compile(
    r"^(education|history|writing|management|medical|medicine|design|english|health|"
    r"communications?|doctor|art|arts|film|music|math|computers?|languages?|recreation|fitness)$"
)
# Words that are also who the student is ("Chinese American", "Spanish-speaking"): a major only
# right after a study cue ("majoring in Spanish") or right before "major" ("a French major").
_HERITAGE_WORDS = re.compile(r"^(spanish|french|german|chinese|japanese|korean|arabic|italian)$")
_CUE_RIGHT_BEFORE = re.compile(
    r"\b(?:stud(?:y|ies|ying)|major(?:ing)?(?: in)?|minor(?:ing)? in|degree in|interested in|into|"
    r"loves?|passion for|pursue|pursuing|career in|focus on|go into|going into|teach|teaching)\s+$"
)
_CUE_RIGHT_AFTER = re.compile(r"^\s*(?:major|majors|degree|program|studies|minor|school)\b")
# "My dad is an engineer" says nothing about what the student will study.
_RELATIVE_AT_WORK = re.compile(
    r"(?<!like )(?<!like his )(?<!like her )(?<!like my )(?:\b(?:mom|dad|mother|father|parents?|sister|brother|aunt|uncle|husband|wife|siblings?|"
    r"cousins?|grand(?:ma|pa|mother|father|parents?))|\b(?:our|my|his|her) (?:oldest|older|eldest|"
    r"middle|younger)(?: one| son| daughter| kid| child)?)(?:'s)?\b[^.;,]{0,25}"
    r"\b(?:is|are|was|were|works?|worked|went|goes|attends?|attended|studied|studies|majored|'s)\b"
    r"|\b(?:mom|dad|mother|father)'s an?\b"
)
# Someone writing for a student who is not their child: their own home and wishes are not the
# student's.
WRITER_IS_OTHER = (
    r"\bmy (?:grand(?:son|daughter|child|kid)s?|niece|nephew|students?|client|mentee)\b"
    r"|\bcounselor here\b|\bi'?m an? (?:school |guidance |college |independent )?counselor\b"
    r"|\bon behalf of\b|\bhelping (?:my )?(?:an? )?(?:grand\w+|student|niece|nephew|neighbor)\b"
    r"|\bmy step-?(?:son|daughter|kid|child)\b"
)
_NOT_THE_MAJOR_BEFORE = re.compile(
    r"\b(?:not|n't|never|no longer)\b[^.;,]{0,15}\b(?:want|wants|interested|into|like|likes|be)\b"
    r"[^.;,]{0,12}$"
)
_WORKPLACE_AFTER = re.compile(r"^\s+(?:clinic|hospital|office|shop|store|practice|firm|company)\b")
# Past this many characters, a message describes the student rather than answering a question.
SELF_DESCRIPTION_CHARS = 160
# Up to this many words, a message answering a question is read as the answer.
SHORT_ANSWER_WORDS = 12
_ALTERNATIVE_BEFORE = re.compile(
    r"\b(?:also|maybe|or|backup|second choice|alternatively|considering)\b[^.;]{0,25}$"
)
_CAREER_WORDS = re.compile(
    r"vet|vets|veterinarian|doctor|physician|lawyer|attorney|teacher|dentist|pharmacist|"
    r"(?:physical|occupational) therapist|police|engineer|engineers|accountant|entrepreneur"
)
_COMPILED_MAJORS = [(re.compile(rf"\b(?:{pattern})\b"), field) for pattern, field in MAJOR_PHRASES]


def read_majors(lowered: str, *, strict: bool) -> list[str]:
    """The fields of study `lowered` names, first mentioned first ("Economics / Finance" →
    social_sciences, business). `strict`: free text, where everyday words need a study cue; a
    labelled field or an answer to the major question is read as it is."""
    # "Undecided (leaning psych)" is undecided; "wants business ... or apply undeclared?" is not.
    found: list[tuple[int, int, str]] = [
        (match.start(), match.end(), "undecided") for match in re.finditer(_UNDECIDED, lowered)
    ][:1]
    spans = clause_spans(lowered)
    starts = [start for start, _ in spans]
    # Each pattern runs once over the whole text; a match counts within its own clause.
    for pattern, field_key in _COMPILED_MAJORS:
        for match in pattern.finditer(lowered):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index < 0 or match.end() > spans[index][1]:
                continue
            start, end = spans[index]
            clause = lowered[start:end]
            if strict and _RELATIVE_AT_WORK.search(clause):
                continue
            word = match.group(0).strip()
            adjacent_cue = _CUE_RIGHT_BEFORE.search(
                lowered[start : match.start()]
            ) or _CUE_RIGHT_AFTER.match(lowered[match.end() : end])
            if _HERITAGE_WORDS.match(word) and not (adjacent_cue or not strict):
                continue
            if _NOT_THE_MAJOR_BEFORE.search(
                lowered[max(start, match.start() - 30) : match.start()]
            ):
                continue  # "she does NOT want to be a vet"
            if _WORKPLACE_AFTER.match(lowered[match.end() : end]):
                continue  # "works at a veterinary clinic"
            clause_has_cue = matches_any(_STUDY_CUE, clause) or len(clause.split()) <= 3
            if strict and _WEAK_MAJOR_WORDS.match(word) and not (clause_has_cue or adjacent_cue):
                continue
            found.append((match.start(), match.end(), field_key))
    # The longest phrase at a place wins: "biomedical engineering" is not "medical".
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    if found and found[0][2] == "undecided":
        return ["undecided"]
    kept: list[tuple[int, int, str]] = []
    covered_until = -1
    for start, end, field_key in found:
        if start >= covered_until:
            kept.append((start, end, field_key))
            covered_until = end

    # A field of study named outright outranks a career ("wants to be a vet, so Animal Science"),
    # unless it is named as the other option ("an engineer, but also considering chemistry").
    def rank(item: tuple[int, int, str]) -> int:
        if _CAREER_WORDS.fullmatch(lowered[item[0] : item[1]]):
            return 1
        return 2 if _ALTERNATIVE_BEFORE.search(lowered[max(0, item[0] - 40) : item[0]]) else 0

    kept.sort(key=rank)
    fields: list[str] = []
    for _, _, field_key in kept:
        if field_key not in fields:
            fields.append(field_key)
    return fields
