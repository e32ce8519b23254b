"""Rank catalog colleges for a profile (DESIGN.md §5). Pure, deterministic, no Django.

Hard filters: the family's states, the major offered (program share > 0 unless undecided), and
an estimated net price within the budget. A college without a published price is never presented
as affordable when there is a budget.

Estimated net price: the net price for the family's income bracket when income is known, else the
average net price. The Scorecard's public net price is for in-state students, so for a public
college outside a known home state the out-of-state tuition difference is added.

Fit (reach / match / likely), from the student's academics against the college:
1. admission rate under 15% → reach for everyone;
2. with a student score (SAT, or ACT converted to SAT with the ACT/College Board concordance) and
   a college score range (SAT section 25th/75th sums, else its ACT range converted, else its SAT
   average ± 100): at or above the 75th percentile → likely (match where the admission rate is
   under 50%); at or above the 25th → match; below → reach;
3. otherwise from the admission rate and GPA (capped at 4.0): no rate published (open
   admission) → likely; rate ≥ 75% → likely with GPA ≥ 3.0, else match; 50–75% → likely with
   GPA ≥ 3.7, match with ≥ 3.0, else reach; 25–50% → match with GPA ≥ 3.6, else reach; under
   25% → reach. With no GPA either: ≥ 75% likely, ≥ 40% match, else reach.

Soft preferences order what passes the filters: program strength in the major, completion rate,
earnings, size and setting preferences, and room under the budget. The list is balanced: up to
3 reaches, 5 matches and 4 likely admits first, then the best of the rest, 6–12 in all when the
catalog allows.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

Fit = Literal["reach", "match", "likely"]

MIN_RESULTS = 6
MAX_RESULTS = 12
FIT_QUOTAS: dict[str, int] = {"reach": 3, "match": 5, "likely": 4}
HIGHLY_SELECTIVE = 0.15

# ACT composite → SAT total (2018 ACT/College Board concordance).
ACT_TO_SAT: dict[int, int] = {
    36: 1590,
    35: 1540,
    34: 1500,
    33: 1460,
    32: 1430,
    31: 1400,
    30: 1370,
    29: 1340,
    28: 1310,
    27: 1280,
    26: 1240,
    25: 1210,
    24: 1180,
    23: 1140,
    22: 1110,
    21: 1080,
    20: 1040,
    19: 1010,
    18: 970,
    17: 930,
    16: 890,
    15: 850,
    14: 800,
    13: 760,
    12: 710,
    11: 670,
    10: 630,
    9: 590,
}
# Upper bounds of the Scorecard's income brackets, in the order of `net_price_by_income`.
INCOME_BRACKETS: tuple[tuple[int, str], ...] = (
    (30_000, "$0–30k"),
    (48_000, "$30–48k"),
    (75_000, "$48–75k"),
    (110_000, "$75–110k"),
    (10**12, "$110k+"),
)
LOCALE_SETTINGS = {1: "city", 2: "suburb", 3: "town", 4: "rural"}
SIZE_BOUNDS = {"small": (0, 5_000), "medium": (5_000, 15_000), "large": (15_000, 10**9)}


@dataclass(frozen=True)
class CollegeRecord:
    unitid: int
    name: str
    city: str
    state: str
    control: str
    locale: int | None = None
    undergrad_size: int | None = None
    admission_rate: float | None = None
    sat_avg: int | None = None
    sat_25: int | None = None
    sat_75: int | None = None
    act_25: int | None = None
    act_75: int | None = None
    tuition_in_state: int | None = None
    tuition_out_of_state: int | None = None
    net_price: int | None = None
    # Five brackets, as INCOME_BRACKETS; None where not published.
    net_price_by_income: tuple[int | None, ...] = (None,) * 5
    completion_rate: float | None = None
    median_earnings: int | None = None
    url: str = ""
    online_only: bool = False
    main_campus: bool = True
    program_shares: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def base_score(self) -> float:
        """The part of the score that does not depend on the family (computed once per record)."""
        score = 0.0
        if self.completion_rate is not None:
            score += 1.5 * self.completion_rate
        if self.median_earnings is not None:
            score += min(self.median_earnings / 80_000, 1.0)
        if self.main_campus:
            score += 0.3
        if self.undergrad_size is not None and self.undergrad_size < 300:
            score -= 0.5
        return score

    @cached_property
    def size(self) -> str | None:
        if self.undergrad_size is None:
            return None
        return next(
            size for size, (low, high) in SIZE_BOUNDS.items() if low <= self.undergrad_size < high
        )

    @cached_property
    def setting(self) -> str | None:
        return LOCALE_SETTINGS.get(self.locale // 10) if self.locale else None


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
    constraint: Literal["states", "budget", "major"]
    adds: int
    suggestion: str


@dataclass(frozen=True)
class RankingResult:
    recommendations: tuple[Recommendation, ...]
    qualifying: int
    explanation: str
    relaxations: tuple[Relaxation, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "recommendations": [r.as_dict() for r in self.recommendations],
            "qualifying": self.qualifying,
            "explanation": self.explanation,
            "relaxations": [
                {"constraint": r.constraint, "adds": r.adds, "suggestion": r.suggestion}
                for r in self.relaxations
            ],
        }


# --- Prices ------------------------------------------------------------------------------------


def income_bracket(income: int | None) -> int | None:
    if income is None:
        return None
    return next(index for index, (bound, _) in enumerate(INCOME_BRACKETS) if income <= bound)


def estimated_net_price(
    college: CollegeRecord, profile: Mapping[str, Any]
) -> tuple[int | None, str]:
    """The yearly price this family would likely pay, and how it was estimated."""
    bracket = income_bracket(profile.get("income"))
    price, basis = college.net_price, "average net price"
    if bracket is not None and college.net_price_by_income[bracket] is not None:
        price = college.net_price_by_income[bracket]
        basis = f"net price for incomes {INCOME_BRACKETS[bracket][1]}"
    if price is None:
        return None, "no net price published"
    home_state = profile.get("home_state")
    if (
        college.control == "public"
        and home_state
        and college.state != home_state
        and college.tuition_out_of_state is not None
        and college.tuition_in_state is not None
    ):
        price += college.tuition_out_of_state - college.tuition_in_state
        basis += " plus the out-of-state tuition difference"
    return price, basis


# --- Fit ---------------------------------------------------------------------------------------


def student_sat_equivalent(profile: Mapping[str, Any]) -> int | None:
    sat, act = profile.get("sat"), profile.get("act")
    candidates = [sat] if sat else []
    if act:
        candidates.append(ACT_TO_SAT.get(act, 590 if act < 9 else 1600))
    return max(candidates) if candidates else None


def college_sat_range(college: CollegeRecord) -> tuple[int, int] | None:
    if college.sat_25 and college.sat_75:
        return college.sat_25, college.sat_75
    if college.act_25 and college.act_75:
        return ACT_TO_SAT.get(college.act_25, 590), ACT_TO_SAT.get(college.act_75, 590)
    if college.sat_avg:
        return college.sat_avg - 100, college.sat_avg + 100
    return None


def fit_label(college: CollegeRecord, profile: Mapping[str, Any]) -> tuple[Fit, str]:
    """The fit and the catalog values it rests on (see the module docstring for the rule)."""
    rate = college.admission_rate
    if rate is not None and rate < HIGHLY_SELECTIVE:
        return "reach", f"admits {rate:.0%} of applicants"
    student = student_sat_equivalent(profile)
    score_range = college_sat_range(college)
    if student and score_range:
        low, high = score_range
        span = f"middle 50% SAT {low}–{high}"
        if student >= high:
            return ("match" if rate is not None and rate < 0.5 else "likely"), span
        return ("match" if student >= low else "reach"), span
    gpa = profile.get("gpa")
    gpa = min(gpa, 4.0) if gpa is not None else None
    if rate is None:
        return "likely", "no admission rate published (open or unreported admission)"
    basis = f"admits {rate:.0%} of applicants"
    if gpa is None:
        return ("likely" if rate >= 0.75 else "match" if rate >= 0.4 else "reach"), basis
    if rate >= 0.75:
        return ("likely" if gpa >= 3.0 else "match"), basis
    if rate >= 0.5:
        return ("likely" if gpa >= 3.7 else "match" if gpa >= 3.0 else "reach"), basis
    if rate >= 0.25:
        return ("match" if gpa >= 3.6 else "reach"), basis
    return "reach", basis


# --- Filters and scores ------------------------------------------------------------------------


def _program_share(college: CollegeRecord, major: str | None) -> float | None:
    if not major or major == "undecided":
        return None
    return college.program_shares.get(major, 0.0)


def _passes(
    college: CollegeRecord, profile: Mapping[str, Any], *, ignore: str | None = None
) -> tuple[bool, int | None, str]:
    if college.online_only:
        return False, None, ""
    states = profile.get("states")
    if ignore != "states" and isinstance(states, list | tuple) and college.state not in states:
        return False, None, ""
    share = _program_share(college, profile.get("major"))
    if ignore != "major" and share is not None and share <= 0:
        return False, None, ""
    price, basis = estimated_net_price(college, profile)
    budget = profile.get("budget")
    # Without a published price a college is never presented as affordable, whatever the budget.
    if isinstance(budget, int) and (price is None or (ignore != "budget" and price > budget)):
        return False, price, basis
    return True, price, basis


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


def _reasons(
    college: CollegeRecord,
    profile: Mapping[str, Any],
    price: int | None,
    basis: str,
    fit_basis: str,
) -> tuple[str, ...]:
    reasons = []
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


@dataclass
class _Candidate:
    college: CollegeRecord
    price: int | None
    price_basis: str
    score: float
    # Judged only for the candidates the balancing looks at: most never need it.
    fit: Fit | None = None
    fit_basis: str = ""


def _balanced(
    candidates: list[_Candidate], limit: int, profile: Mapping[str, Any]
) -> list[_Candidate]:
    """Best first, with at most FIT_QUOTAS of each fit before the rest fill the list."""
    chosen: list[_Candidate] = []
    taken = dict.fromkeys(FIT_QUOTAS, 0)
    for candidate in candidates:
        if len(chosen) >= limit or all(taken[fit] >= FIT_QUOTAS[fit] for fit in FIT_QUOTAS):
            break
        candidate.fit, candidate.fit_basis = fit_label(candidate.college, profile)
        if taken[candidate.fit] < FIT_QUOTAS[candidate.fit]:
            chosen.append(candidate)
            taken[candidate.fit] += 1
    chosen_ids = {candidate.college.unitid for candidate in chosen}
    for candidate in candidates:
        if len(chosen) >= limit:
            break
        if candidate.college.unitid not in chosen_ids:
            if candidate.fit is None:
                candidate.fit, candidate.fit_basis = fit_label(candidate.college, profile)
            chosen.append(candidate)
    order = {"reach": 0, "match": 1, "likely": 2}
    return sorted(chosen, key=lambda c: (order[c.fit], -c.score, c.college.unitid))


def _qualifying(
    profile: Mapping[str, Any], catalog: Sequence[CollegeRecord], ignore: str | None = None
) -> list[tuple[CollegeRecord, int | None, str]]:
    found = []
    for college in catalog:
        passes, price, basis = _passes(college, profile, ignore=ignore)
        if passes:
            found.append((college, price, basis))
    return found


def _relaxations(
    profile: Mapping[str, Any], catalog: Sequence[CollegeRecord], have: int
) -> list[Relaxation]:
    options = []
    if isinstance(profile.get("states"), list | tuple):
        options.append(("states", "considering colleges in any state"))
    if isinstance(profile.get("budget"), int):
        options.append(("budget", "raising the yearly budget"))
    if profile.get("major") not in (None, "undecided"):
        options.append(("major", "keeping the major open"))
    found = []
    for constraint, suggestion in options:
        adds = len(_qualifying(profile, catalog, ignore=constraint)) - have
        if adds > 0:
            found.append(Relaxation(constraint, adds, suggestion))
    return sorted(found, key=lambda relaxation: -relaxation.adds)


def rank_colleges(
    profile: Mapping[str, Any], catalog: Sequence[CollegeRecord], *, limit: int = MAX_RESULTS
) -> RankingResult:
    """The balanced shortlist for `profile`, with an honest explanation when it is short."""
    qualifying = _qualifying(profile, catalog)
    candidates = [
        _Candidate(college, price, basis, _score(college, profile, price))
        for college, price, basis in qualifying
    ]
    candidates.sort(key=lambda c: (-c.score, c.college.unitid))
    # Reasons are written only for the colleges shown.
    chosen = [
        Recommendation(
            unitid=c.college.unitid,
            name=c.college.name,
            city=c.college.city,
            state=c.college.state,
            fit=c.fit,
            net_price=c.price,
            admission_rate=c.college.admission_rate,
            reasons=_reasons(c.college, profile, c.price, c.price_basis, c.fit_basis),
            url=c.college.url,
            score=c.score,
        )
        for c in _balanced(candidates, limit, profile)
    ]
    relaxations: list[Relaxation] = []
    if len(qualifying) >= MIN_RESULTS:
        explanation = f"{len(qualifying)} colleges meet every requirement; these are the best fits."
    else:
        relaxations = _relaxations(profile, catalog, len(qualifying))
        found = "No college meets" if not qualifying else f"Only {len(qualifying)} college(s) meet"
        explanation = f"{found} every requirement."
        if relaxations:
            explanation += (
                " "
                + "; ".join(f"{r.suggestion} would add {r.adds}" for r in relaxations).capitalize()
                + "."
            )
    return RankingResult(tuple(chosen), len(qualifying), explanation, tuple(relaxations))
