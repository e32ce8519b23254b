"""Which colleges may be ranked at all (DESIGN.md §5). Pure, no Django.

What a counselor would sign: by default only colleges that predominantly award bachelor's
degrees (`predominant_degree == 3`), are not for-profit, and graduate at least half of their
students within six years (a college that publishes no completion rate is outside). The family
widens it only by asking (`Scope`): `two_year` adds colleges that predominantly award associate
degrees or certificates, without the completion floor (the Scorecard's rate is a four-year-college
measure that counts students who transfer as non-completers); `for_profit` adds for-profit colleges
(a bachelor's one still needs the completion floor); the colleges the family named are always in
scope. Online-only colleges are never recommended.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coach.catalog.records import CollegeRecord

MIN_COMPLETION = 0.5
BACHELORS = 3
TWO_YEAR_DEGREES = (1, 2)  # certificate, associate
FOR_PROFIT = "private_for_profit"


@dataclass(frozen=True)
class Scope:
    """Which colleges may be ranked at all. The default is what a counselor would sign."""

    two_year: bool = False  # also colleges that predominantly award associate degrees/certificates
    for_profit: bool = False
    # Colleges the family named (unitids): in scope whatever they are; the hard filters still apply.
    named: frozenset[int] = frozenset()


DEFAULT_SCOPE = Scope()


def in_scope(college: CollegeRecord, scope: Scope = DEFAULT_SCOPE) -> bool:
    if college.unitid in scope.named:
        return True
    if college.control == FOR_PROFIT and not scope.for_profit:
        return False
    if college.predominant_degree != BACHELORS:
        return scope.two_year and college.predominant_degree in TWO_YEAR_DEGREES
    return college.completion_rate is not None and college.completion_rate >= MIN_COMPLETION


def outside_scope_reason(college: CollegeRecord, scope: Scope) -> str | None:
    if in_scope(college, scope):
        return None
    if college.control == FOR_PROFIT and not scope.for_profit:
        return "it is a for-profit college"
    if college.predominant_degree in TWO_YEAR_DEGREES:
        award = "certificates" if college.predominant_degree == 1 else "associate degrees"
        return f"it mainly awards {award}"
    if college.predominant_degree != BACHELORS:
        return "it does not mainly award bachelor's degrees"
    if college.completion_rate is None:
        return "it publishes no six-year completion rate"
    return f"only {college.completion_rate:.0%} of its students graduate within 6 years"


# A shared catalog (the selector's tuple) is prepared once, keyed by the tuple's identity: its
# colleges by unitid and each scope's subset. The tuple is held so that its id cannot be reused
# while the entry lives; a replaced catalog falls out after a few others.
_PREPARED_KEPT = 4
_prepared: dict[int, "PreparedCatalog"] = {}


@dataclass
class PreparedCatalog:
    catalog: Sequence[CollegeRecord]
    by_unitid: dict[int, CollegeRecord]
    # Per scope without its named colleges: the colleges it admits, online-only ones dropped.
    subsets: dict[Scope, tuple[CollegeRecord, ...]] = field(default_factory=dict)

    def subset(self, scope: Scope) -> tuple[CollegeRecord, ...]:
        """The colleges that may be recommended under `scope` (unsorted)."""
        unnamed = Scope(two_year=scope.two_year, for_profit=scope.for_profit)
        if unnamed not in self.subsets:
            self.subsets[unnamed] = tuple(
                college
                for college in self.by_unitid.values()
                if not college.online_only and in_scope(college, unnamed)
            )
        named = tuple(
            college
            for unitid in sorted(scope.named)
            if (college := self.by_unitid.get(unitid)) is not None
            and not college.online_only
            and not in_scope(college, unnamed)
        )
        return self.subsets[unnamed] + named


def prepared_catalog(catalog: Sequence[CollegeRecord]) -> PreparedCatalog:
    if not isinstance(catalog, tuple):
        # A mutable sequence may change between calls: prepared afresh, never cached.
        return PreparedCatalog(catalog, {college.unitid: college for college in catalog})
    prepared = _prepared.get(id(catalog))
    if prepared is None or prepared.catalog is not catalog:
        prepared = PreparedCatalog(catalog, {college.unitid: college for college in catalog})
        while len(_prepared) >= _PREPARED_KEPT:
            _prepared.pop(next(iter(_prepared)))
        _prepared[id(catalog)] = prepared
    return prepared


def catalog_by_unitid(catalog: Sequence[CollegeRecord]) -> Mapping[int, CollegeRecord]:
    return prepared_catalog(catalog).by_unitid
