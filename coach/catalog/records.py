"""A college as the pure core sees it (DESIGN.md §5): its catalog values, the price a family would
likely pay, and how selective it is for a student. Pure, no Django.

Estimated net price: the net price for the family's income bracket when income is known, else the
average net price. The Scorecard's public net price is for in-state students, so for a public
college outside a known home state the out-of-state tuition difference is added.

Fit rests on data. A "usable admission rate" is a published rate above 0 (a rate of 0 is a
published anomaly, not a selectivity). A college's "score range" is its SAT section 25th/75th
sums, else its ACT range converted with the 2018 ACT/College Board concordance, else its SAT
average ± 100. The student's score is their SAT, or their ACT converted, whichever is higher.
1. usable admission rate under 15% → `reach` for everyone;
2. a student score and a college score range: at or above the 75th percentile → `likely`
   (`match` where the admission rate is under 50%); at or above the 25th → `match`; below →
   `reach`;
3. no usable admission rate, and no score range to judge the student by: neither a rate nor
   scores published → `open_admission` (nothing to judge by; usually an open-admission college);
   a rate published as 0, or a score range but no student score → `no_data`. Neither is ever
   `likely`, and neither counts toward the list's reach/match/likely balance;
4. otherwise from the admission rate and GPA (capped at 4.0): rate ≥ 75% → `likely` with GPA ≥ 3.0,
   else `match`; 50–75% → `likely` with GPA ≥ 3.7, `match` with ≥ 3.0, else `reach`; 25–50% →
   `match` with GPA ≥ 3.6, else `reach`; under 25% → `reach`. With no GPA either: ≥ 75% `likely`,
   ≥ 40% `match`, else `reach`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

Fit = Literal["reach", "match", "likely", "open_admission", "no_data"]
HIGHLY_SELECTIVE = 0.15
OPEN_ADMISSION_BASIS = "no admission rate or test scores published (often open admission)"

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
    # 1 certificate, 2 associate, 3 bachelor's: the college's predominant undergraduate award.
    predominant_degree: int
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

    # What does not depend on the family is computed once per record, on first use.

    @cached_property
    def base_score(self) -> float:
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
    def prices(self) -> tuple[int | None, ...]:
        """The average net price, then each bracket's price (the average where not published)."""
        average = self.net_price
        return (average, *(average if p is None else p for p in self.net_price_by_income))

    @cached_property
    def out_of_state_difference(self) -> int | None:
        if (
            self.control != "public"
            or self.tuition_out_of_state is None
            or self.tuition_in_state is None
        ):
            return None
        return self.tuition_out_of_state - self.tuition_in_state

    @cached_property
    def score_range(self) -> tuple[int, int] | None:
        if self.sat_25 and self.sat_75:
            return self.sat_25, self.sat_75
        if self.act_25 and self.act_75:
            return ACT_TO_SAT.get(self.act_25, 590), ACT_TO_SAT.get(self.act_75, 590)
        if self.sat_avg:
            return self.sat_avg - 100, self.sat_avg + 100
        return None

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


# --- Prices ------------------------------------------------------------------------------------


def income_bracket(income: int | None) -> int | None:
    if income is None:
        return None
    return next(index for index, (bound, _) in enumerate(INCOME_BRACKETS) if income <= bound)


def slot_price(college: CollegeRecord, slot: int, home_state: str | None) -> int | None:
    """The estimated price from `college.prices[slot]` (0 = average, 1–5 = income brackets)."""
    price = college.prices[slot]
    if (
        price is not None
        and home_state
        and college.state != home_state
        and college.out_of_state_difference is not None
    ):
        price += college.out_of_state_difference
    return price


def price_slot(profile: Mapping[str, Any]) -> int:
    bracket = income_bracket(profile.get("income"))
    return 0 if bracket is None else bracket + 1


def _price_parts(
    college: CollegeRecord, profile: Mapping[str, Any]
) -> tuple[int | None, str, bool]:
    """The estimated price, the income bracket it is for ("" = the average net price) and
    whether the out-of-state tuition difference is included."""
    slot = price_slot(profile)
    if slot and college.net_price_by_income[slot - 1] is None:
        slot = 0
    price = slot_price(college, slot, profile.get("home_state"))
    out_of_state = price is not None and price != college.prices[slot]
    return price, INCOME_BRACKETS[slot - 1][1] if slot else "", out_of_state


def estimated_net_price(
    college: CollegeRecord, profile: Mapping[str, Any]
) -> tuple[int | None, str]:
    """The yearly price this family would likely pay, and how it was estimated."""
    price, bracket, out_of_state = _price_parts(college, profile)
    if price is None:
        return None, "no net price published"
    basis = f"net price for incomes {bracket}" if bracket else "average net price"
    if out_of_state:
        basis += " plus the out-of-state tuition difference"
    return price, basis


def price_phrase(college: CollegeRecord, profile: Mapping[str, Any]) -> str:
    """The estimate as the subject of a sentence: "for incomes $110k+ its net price is $31,200"."""
    price, bracket, out_of_state = _price_parts(college, profile)
    if price is None:
        return "it publishes no net price"
    subject = f"for incomes {bracket} its net price" if bracket else "its average net price"
    if out_of_state:
        subject += " plus the out-of-state tuition difference"
    return f"{subject} is ${price:,}"


# --- Fit ---------------------------------------------------------------------------------------


def student_sat_equivalent(profile: Mapping[str, Any]) -> int | None:
    sat, act = profile.get("sat"), profile.get("act")
    candidates = [sat] if sat else []
    if act:
        candidates.append(ACT_TO_SAT.get(act, 590 if act < 9 else 1600))
    return max(candidates) if candidates else None


def has_admission_data(college: CollegeRecord) -> bool:
    """Whether the college publishes a usable admission rate or a score range."""
    return bool(college.admission_rate) or college.score_range is not None


def student_academics(profile: Mapping[str, Any]) -> tuple[int | None, float | None]:
    """The student's SAT equivalent and GPA (capped at 4.0), as `judge_fit` takes them."""
    gpa = profile.get("gpa")
    return student_sat_equivalent(profile), min(gpa, 4.0) if gpa is not None else None


def judge_fit(college: CollegeRecord, student: int | None, gpa: float | None) -> tuple[Fit, str]:
    """`fit_label` for a student already read with `student_academics` (the ranking judges many
    colleges for one student)."""
    rate = college.admission_rate or None  # a published 0 is an anomaly, not a selectivity
    if rate is not None and rate < HIGHLY_SELECTIVE:
        return "reach", f"admits {rate:.0%} of applicants"
    score_range = college.score_range
    if student and score_range:
        low, high = score_range
        span = f"middle 50% SAT {low}–{high}"
        if student >= high:
            return ("match" if rate is not None and rate < 0.5 else "likely"), span
        return ("match" if student >= low else "reach"), span
    if rate is None:
        if college.admission_rate == 0:
            return "no_data", "admission rate published as 0%, which says nothing of selectivity"
        if score_range:
            low, high = score_range
            return "no_data", (
                f"no admission rate published, and no student test score to compare with its "
                f"middle 50% SAT {low}–{high}"
            )
        return "open_admission", OPEN_ADMISSION_BASIS
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


def fit_label(college: CollegeRecord, profile: Mapping[str, Any]) -> tuple[Fit, str]:
    """The fit and the catalog values it rests on (see the module docstring for the rule)."""
    return judge_fit(college, *student_academics(profile))
