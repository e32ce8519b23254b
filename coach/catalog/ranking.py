"""Rank catalog colleges for a profile (DESIGN.md §5). Pure, deterministic, no Django.

The colleges ranked are those in the family's `scope` (see `scope`) that pass the hard filters
(see `filters`). `RankingResult.scope_note` says what a widened scope did. When the scope leaves
too few colleges, the explanation says how many a wider one would add: the list is never filled
with colleges outside it.

Soft preferences order what passes the filters: program strength in the major, completion rate,
earnings, size and setting preferences, and room under the budget. The list is then built in
passes, each best first: the colleges the family named; the best reach, the best match and the
best likely admit whenever one qualifies, however it scores; up to 3 reaches, 5 matches and 4
likely admits in all; then the rest, colleges whose fit rests on data before `open_admission` and
`no_data` ones (see `records` for the fit rule), which never count toward the balance. 6–12 in all
when that many qualify, shown reach, match, likely, then the rest, best first within each.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from coach.catalog.filters import exclusion_reason, qualifying_colleges
from coach.catalog.records import (
    LOCALE_SETTINGS,
    SIZE_BOUNDS,
    CollegeRecord,
    Fit,
    estimated_net_price,
    judge_fit,
    student_academics,
)
from coach.catalog.scope import (
    BACHELORS,
    DEFAULT_SCOPE,
    FOR_PROFIT,
    PreparedCatalog,
    Scope,
    prepared_catalog,
)

BALANCED_FITS: tuple[Fit, ...] = ("reach", "match", "likely")
MIN_RESULTS = 6
MAX_RESULTS = 12
# Maxima of the balanced pass; the best of each fit is always taken first when one qualifies.
FIT_QUOTAS: dict[str, int] = {"reach": 3, "match": 5, "likely": 4}
FIT_ORDER: dict[str, int] = {"reach": 0, "match": 1, "likely": 2, "open_admission": 3, "no_data": 3}


@dataclass(frozen=True)
class Recommendation:
    unitid: int
    name: str
    city: str
    state: str
    fit: Fit
    net_price: int | None
    admission_rate: float | None
    reasons: tuple[str, ...]
    url: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "unitid": self.unitid,
            "name": self.name,
            "city": self.city,
            "state": self.state,
            "fit": self.fit,
            "net_price": self.net_price,
            "admission_rate": self.admission_rate,
            "reasons": list(self.reasons),
            "url": self.url,
        }


@dataclass(frozen=True)
class Relaxation:
    constraint: Literal["states", "budget", "major", "scope"]
    adds: int
    suggestion: str


@dataclass(frozen=True)
class RankingResult:
    recommendations: tuple[Recommendation, ...]
    qualifying: int
    explanation: str
    relaxations: tuple[Relaxation, ...] = ()
    # Said whenever the family widened the scope; empty for the default scope.
    scope_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "recommendations": [r.as_dict() for r in self.recommendations],
            "qualifying": self.qualifying,
            "explanation": self.explanation,
            "relaxations": [
                {"constraint": r.constraint, "adds": r.adds, "suggestion": r.suggestion}
                for r in self.relaxations
            ],
            "scope_note": self.scope_note,
        }


# --- Scores and reasons ------------------------------------------------------------------------


def _program_share(college: CollegeRecord, major: str | None) -> float | None:
    if not major or major == "undecided":
        return None
    return college.program_shares.get(major, 0.0)


def _score(college: CollegeRecord, profile: Mapping[str, Any], price: int | None) -> float:
    score = college.base_score
    share = _program_share(college, profile.get("major"))
    if share is not None:
        score += 2.0 * min(share / 0.2, 1.0)
    size = profile.get("size")
    if size in SIZE_BOUNDS and college.size:
        score += 0.8 if college.size == size else -0.4
    setting = profile.get("setting")
    if setting in LOCALE_SETTINGS.values() and college.setting:
        score += 0.8 if college.setting == setting else -0.4
    budget = profile.get("budget")
    if isinstance(budget, int) and budget > 0 and price is not None:
        score += 0.5 * max(0.0, 1 - price / budget)
    return round(score, 6)


def _reasons(college: CollegeRecord, profile: Mapping[str, Any], fit_basis: str) -> tuple[str, ...]:
    reasons = []
    price, basis = estimated_net_price(college, profile)
    if price is not None:
        reasons.append(f"Estimated cost ${price:,}/yr ({basis})")
    reasons.append(f"Fit: {fit_basis}")
    share = _program_share(college, profile.get("major"))
    if share:
        label = profile["major"].replace("_", " ")
        reasons.append(f"{share:.0%} of degrees awarded are in {label}")
    if college.completion_rate is not None:
        reasons.append(f"{college.completion_rate:.0%} of students graduate within 6 years")
    if college.median_earnings is not None:
        reasons.append(f"Median earnings 10 years after entry: ${college.median_earnings:,}")
    if college.undergrad_size is not None:
        reasons.append(f"{college.undergrad_size:,} undergraduates")
    return tuple(reasons)


# --- The balanced list -------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    college: CollegeRecord
    price: int | None
    score: float
    # Judged only for the candidates the balancing looks at: most never need it.
    fit: Fit | None = None
    fit_basis: str = ""

    @property
    def judged_fit(self) -> Fit:
        """The fit of a candidate the balancing chose (every chosen one was judged)."""
        assert self.fit is not None, "a chosen candidate is always judged"
        return self.fit


def _balanced(
    candidates: list[_Candidate], limit: int, profile: Mapping[str, Any], named: frozenset[int]
) -> list[_Candidate]:
    """`candidates` are best first; see the module docstring for the passes."""
    student, gpa = student_academics(profile)
    chosen: list[_Candidate] = []
    chosen_ids: set[int] = set()
    taken = dict.fromkeys(FIT_QUOTAS, 0)

    def judged(candidate: _Candidate) -> Fit:
        if candidate.fit is None:
            candidate.fit, candidate.fit_basis = judge_fit(candidate.college, student, gpa)
        return candidate.fit

    def take(candidate: _Candidate) -> None:
        chosen.append(candidate)
        chosen_ids.add(candidate.college.unitid)
        if candidate.fit in taken:
            taken[candidate.fit] += 1

    def open_places() -> bool:
        return len(chosen) < limit

    for candidate in candidates:
        if candidate.college.unitid in named and open_places():
            judged(candidate)
            take(candidate)
    missing = {fit for fit in BALANCED_FITS if not taken[fit]}
    for candidate in candidates:
        if not missing or not open_places():
            break
        if candidate.college.unitid not in chosen_ids and judged(candidate) in missing:
            missing.discard(candidate.fit)
            take(candidate)
    for candidate in candidates:
        if not open_places() or all(taken[fit] >= FIT_QUOTAS[fit] for fit in FIT_QUOTAS):
            break
        fit = judged(candidate)
        if (
            candidate.college.unitid not in chosen_ids
            and fit in FIT_QUOTAS
            and taken[fit] < FIT_QUOTAS[fit]
        ):
            take(candidate)
    for with_data in (True, False):
        for candidate in candidates:
            if not open_places():
                break
            if candidate.college.unitid not in chosen_ids and (
                (judged(candidate) in FIT_QUOTAS) == with_data
            ):
                take(candidate)
    return sorted(chosen, key=lambda c: (FIT_ORDER[c.judged_fit], -c.score, c.college.unitid))


def _scope_suggestion(scope: Scope) -> str:
    kinds = [
        *(["two-year"] if not scope.two_year else []),
        *(["for-profit"] if not scope.for_profit else []),
        "lower-completion",
    ]
    listed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
    return f"including {listed} colleges"


def _relaxations(
    profile: Mapping[str, Any],
    prepared: PreparedCatalog,
    colleges: Sequence[CollegeRecord],
    scope: Scope,
    have: int,
) -> list[Relaxation]:
    options: list[tuple[Any, str, Sequence[CollegeRecord], str | None]] = []
    if isinstance(profile.get("states"), list | tuple):
        options.append(("states", "considering colleges in any state", colleges, "states"))
    if isinstance(profile.get("budget"), int):
        options.append(("budget", "raising the yearly budget", colleges, "budget"))
    if profile.get("major") not in (None, "undecided"):
        options.append(("major", "keeping the major open", colleges, "major"))
    options.append(("scope", _scope_suggestion(scope), list(prepared.by_unitid.values()), None))
    found = []
    for constraint, suggestion, pool, ignore in options:
        adds = len(qualifying_colleges(profile, pool, ignore=ignore)) - have
        if adds > 0:
            found.append(Relaxation(constraint, adds, suggestion))
    return sorted(found, key=lambda relaxation: -relaxation.adds)


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _scope_note(
    scope: Scope,
    shown: Sequence[CollegeRecord],
    prepared: PreparedCatalog,
    profile: Mapping[str, Any],
) -> str:
    """What the family's widening of the scope did to the list, in their terms."""
    sentences = []
    widenings: tuple[tuple[bool, str, Callable[[CollegeRecord], bool]], ...] = (
        (scope.two_year, "two-year colleges", lambda c: c.predominant_degree != BACHELORS),
        (scope.for_profit, "for-profit colleges", lambda c: c.control == FOR_PROFIT),
    )
    for asked, kind, brought in widenings:
        if not asked:
            continue
        if any(brought(college) for college in shown):
            sentences.append(f"As you asked, the list includes {kind}.")
        else:
            sentences.append(f"As you asked, {kind} were considered; none is among the best fits.")
    shown_ids = {college.unitid for college in shown}
    named = [prepared.by_unitid[u] for u in sorted(scope.named) if u in prepared.by_unitid]
    listed = [college.name for college in named if college.unitid in shown_ids]
    if listed:
        sentences.append(
            f"As you asked, the list includes the colleges you named: {_names(listed)}."
        )
    for college in named:
        if college.unitid not in shown_ids and (why := exclusion_reason(college, profile, scope)):
            sentences.append(f"{college.name}, which you named, is not on the list: {why}.")
    return " ".join(sentences)


def rank_colleges(
    profile: Mapping[str, Any],
    catalog: Sequence[CollegeRecord],
    *,
    limit: int = MAX_RESULTS,
    scope: Scope = DEFAULT_SCOPE,
) -> RankingResult:
    """The balanced shortlist for `profile` within `scope`, with an honest explanation when it is
    short. Pass the same catalog tuple on every call: what does not depend on the family is
    prepared once per tuple."""
    prepared = prepared_catalog(catalog)
    colleges = prepared.subset(scope)
    qualifying = qualifying_colleges(profile, colleges)
    candidates = [
        _Candidate(college, price, _score(college, profile, price)) for college, price in qualifying
    ]
    candidates.sort(key=lambda c: (-c.score, c.college.unitid))
    shown = _balanced(candidates, limit, profile, scope.named)
    # Reasons are written only for the colleges shown.
    chosen = tuple(
        Recommendation(
            unitid=c.college.unitid,
            name=c.college.name,
            city=c.college.city,
            state=c.college.state,
            fit=c.judged_fit,
            net_price=c.price,
            admission_rate=c.college.admission_rate,
            reasons=_reasons(c.college, profile, c.fit_basis),
            url=c.college.url,
            score=c.score,
        )
        for c in shown
    )
    relaxations: list[Relaxation] = []
    if len(qualifying) >= MIN_RESULTS:
        explanation = f"{len(qualifying)} colleges meet every requirement; these are the best fits."
    else:
        relaxations = _relaxations(profile, prepared, colleges, scope, len(qualifying))
        found = "No college meets" if not qualifying else f"Only {len(qualifying)} college(s) meet"
        explanation = f"{found} every requirement."
        if relaxations:
            explanation += (
                " "
                + "; ".join(f"{r.suggestion} would add {r.adds}" for r in relaxations).capitalize()
                + "."
            )
    scope_note = ""
    if scope != DEFAULT_SCOPE:
        scope_note = _scope_note(scope, [c.college for c in shown], prepared, profile)
    return RankingResult(chosen, len(qualifying), explanation, tuple(relaxations), scope_note)
