"""Which catalog colleges a family means by the names they typed. Pure, no Django.

A typed name and every catalog name are normalized alike (case, accents, punctuation, "&" = "and",
"St" = "Saint", a leading "The"). A college answers to:
0. its name, and its name without a "-Main Campus" suffix;
1. its system's name, the part before the last hyphen when that part names an institution
   ("University of Michigan" for "University of Michigan-Dearborn");
and, from each of those, to the usual short forms: "University of California-X" → "UC X",
"<X> State University" → "<X> State", "<X> Institute of Technology" → "<X> Tech", and, a tier
further down, the name without a trailing "University" or "College" ("DeVry" for "DeVry
University-Ohio"). A few nicknames no rule derives ("MIT", "Penn State") are listed by hand.

The closest tier wins. Several colleges in it resolve only when exactly one is a main campus, or
when one main campus enrolls more undergraduates than all the others together (the flagship:
"University of Michigan" is Ann Arbor). Anything else is ambiguous or unknown and resolves to
nothing: a family's words never become a college they did not mean.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from coach.catalog.records import CollegeRecord

INSTITUTION_WORDS = frozenset(
    {"university", "college", "institute", "school", "academy", "seminary", "universidad"}
)
# Nicknames no rule derives, to the catalog names they stand for.
NICKNAMES: dict[str, str] = {
    "mit": "Massachusetts Institute of Technology",
    "caltech": "California Institute of Technology",
    "ucla": "University of California-Los Angeles",
    "usc": "University of Southern California",
    "nyu": "New York University",
    "unc": "University of North Carolina at Chapel Hill",
    "penn state": "Pennsylvania State University-Main Campus",
    "virginia tech": "Virginia Polytechnic Institute and State University",
    "upenn": "University of Pennsylvania",
    "umass amherst": "University of Massachusetts-Amherst",
    "ut austin": "The University of Texas at Austin",
    "berkeley": "University of California-Berkeley",
    "notre dame": "University of Notre Dame",
    "arizona state": "Arizona State University Campus Immersion",
}
_SHORT_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^university of california (.+)$"), r"uc \1"),
    (re.compile(r"^(.+ state) university$"), r"\1"),
    (re.compile(r"^(.+) institute of technology$"), r"\1 tech"),
)
# The bare name, without "University"/"College" around it: a looser match, its own tier.
_BARE_NAME = (
    re.compile(r"^(.+) (?:university|college)$"),
    re.compile(r"^university of (.+)$"),
)
BARE_TIER = 2
_MAIN_CAMPUS = re.compile(r" main campus$")


def normalized(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"['’]", "", text.replace("&", " and "))
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = ["saint" if word == "st" else word for word in words]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def _system(name: str) -> str:
    """The normalized name of the institution a campus belongs to (its own name if none)."""
    if "-" in name:
        system = normalized(name.rsplit("-", 1)[0])
        if INSTITUTION_WORDS & set(system.split()):
            return system
    return _MAIN_CAMPUS.sub("", normalized(name))


def _aliases(college: CollegeRecord) -> dict[str, int]:
    """Every name the college answers to, with its tier (lower = closer)."""
    full = _MAIN_CAMPUS.sub("", normalized(college.name))
    bases = {normalized(college.name): 0, full: 0}
    bases.setdefault(_system(college.name), 1)
    aliases: dict[str, int] = {}
    for base, tier in bases.items():
        forms = dict.fromkeys(
            {base, *(pattern.sub(short, base) for pattern, short in _SHORT_FORMS)}, tier
        )
        for pattern in _BARE_NAME:
            if bare := pattern.fullmatch(base):
                forms.setdefault(bare.group(1), BARE_TIER)
        for form, form_tier in forms.items():
            aliases[form] = min(aliases.get(form, form_tier), form_tier)
    return aliases


@dataclass(frozen=True)
class _NameIndex:
    catalog: Sequence[CollegeRecord]
    by_alias: dict[str, tuple[tuple[int, CollegeRecord], ...]]


_indexes: dict[int, _NameIndex] = {}
_INDEXES_KEPT = 2


def _name_index(catalog: Sequence[CollegeRecord]) -> _NameIndex:
    """Built once per catalog tuple (the selector's), afresh for any other sequence."""
    index = _indexes.get(id(catalog))
    if index is not None and index.catalog is catalog:
        return index
    by_alias: dict[str, list[tuple[int, CollegeRecord]]] = {}
    for college in catalog:
        for alias, tier in _aliases(college).items():
            by_alias.setdefault(alias, []).append((tier, college))
    by_name = {college.name: college for college in catalog}
    for nickname, name in NICKNAMES.items():
        if name in by_name:
            by_alias.setdefault(nickname, []).append((0, by_name[name]))
    index = _NameIndex(catalog, {alias: tuple(found) for alias, found in by_alias.items()})
    if isinstance(catalog, tuple):
        while len(_indexes) >= _INDEXES_KEPT:
            _indexes.pop(next(iter(_indexes)))
        _indexes[id(catalog)] = index
    return index


def _resolve(name: str, index: _NameIndex) -> CollegeRecord | None:
    found = index.by_alias.get(_MAIN_CAMPUS.sub("", normalized(name)), ())
    if not found:
        return None
    closest = min(tier for tier, _ in found)
    pool = {college.unitid: college for tier, college in found if tier == closest}
    if len(pool) == 1:
        return next(iter(pool.values()))
    mains = [college for college in pool.values() if college.main_campus]
    if len(mains) == 1:
        return mains[0]
    # Campuses of one institution: the flagship, when it is bigger than the rest together.
    if mains and len({_system(college.name) for college in pool.values()}) == 1:
        biggest = max(mains, key=lambda college: college.undergrad_size or 0)
        others = sum(college.undergrad_size or 0 for college in mains if college is not biggest)
        if (biggest.undergrad_size or 0) > others:
            return biggest
    return None


def resolve_college_names(
    names: Sequence[str], catalog: Sequence[CollegeRecord]
) -> tuple[int, ...]:
    """The unitids of the colleges `names` unambiguously mean, in order, without repeats; a name
    that matches no college, or several equally, adds nothing."""
    index = _name_index(catalog)
    unitids: list[int] = []
    for name in names:
        college = _resolve(name, index)
        if college is not None and college.unitid not in unitids:
            unitids.append(college.unitid)
    return tuple(unitids)
