"""Dollar amounts as families write them, and whether each is a budget or a household income.

Pure functions over lower-cased text. Incomes come as figures ("about 85k"), brackets ("150-200k",
"<50k", "200k+") or, rarely, words ("low income"); vague class words ("upper middle class") give
no number at all.

A bracket's stored income (the profile needs one number): the middle of a closed bracket, the
lower bound of an open-ended one ("200k+" is 200,000), and 90 % of the bound of "under X" (so
"<50k" falls in the price bracket below 48k, as most such families do). The bracket itself is
kept with the fact, so the coach repeats it in the family's own terms.
"""

import re
from dataclasses import dataclass, field

from coach.language.numbers import NUMBER_WORD_PATTERN, words_to_number


@dataclass(frozen=True)
class Amount:
    value: int
    start: int
    end: int
    clause: str
    # For brackets: {"low": int | None, "high": int | None} as the family wrote them.
    bracket: dict | None = field(default=None, compare=False)

    def as_income(self) -> int:
        if not self.bracket:
            return self.value
        low, high = self.bracket["low"], self.bracket["high"]
        if low is not None and high is not None:
            return int(round((low + high) / 2, -3))
        if high is not None:
            return int(round(high * 0.9, -3))
        return low

    def as_budget(self) -> int:
        """A budget bracket counts at its lower bound: never show a college they can't pay."""
        if not self.bracket:
            return self.value
        low, high = self.bracket["low"], self.bracket["high"]
        return high if low is None else low


_SCALES = {"k": 1000, "thousand": 1000, "grand": 1000, "million": 1_000_000, "m": 1_000_000}
_UNIT = r"(?P<{name}>k\b|thousand\b|grand\b|million\b|m\b)"
_MONEY = re.compile(
    r"(?P<dollar>\$)?\s?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    + _UNIT.format(name="scale")
    + r"?(?:\s*(?:dollars|usd|bucks))?"
    r"(?P<period>\s*(?:/|per|a|an|each|every|one)\s*(?:yr|year|month|mo|semester|sem|term)\b)?"
)
_WORD_MONEY = re.compile(
    # "a" only first, and one separator between words, so runs of "a a a" cannot backtrack.
    rf"\b(?P<words>(?:a[\s-])?(?:(?:{NUMBER_WORD_PATTERN})[\s-])*(?:{NUMBER_WORD_PATTERN}))"
    r"\s?(?P<scale>thousand|grand|k)\b"
    r"(?P<period>\s*(?:/|per|a|an|each)\s*(?:yr|year|month|mo|semester|sem|term)\b)?"
)
_FIGURE = (
    r"\$?\s?(?P<{n}>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s*"
    r"(?P<{n}_unit>k\b|thousand\b|m\b|million\b)?"
)
_CLOSED_BRACKET = re.compile(
    _FIGURE.format(n="low") + r"\s*(?:-|–|to)\s*" + _FIGURE.format(n="high")
)
_UNDER = re.compile(
    r"(?:<|≤|\bunder|\bbelow|\bless than|\blower than)\s*" + _FIGURE.format(n="high")
)
_OVER = re.compile(
    r"(?:>|≥|\bover|\babove|\bmore than|\bgreater than)\s*"
    + _FIGURE.format(n="low")
    + r"|"
    + _FIGURE.format(n="plus")
    + r"\s*\+"
)
# Income said in words that still place it in a price bracket.
LOW_INCOME = re.compile(r"\b(?:low|lower|very low)[- ]income\b|\bpell[- ]eligible\b")
LOW_INCOME_VALUE = 30_000


def _per_year(period: str | None) -> int:
    """How many of a period make a year: a month 12, a semester or term 2."""
    if not period:
        return 1
    if re.search(r"\bmo(nth)?\b", period):
        return 12
    if re.search(r"\b(?:semester|sem|term)\b", period):
        return 2
    return 1


def _clause_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".;!?\n")
    rights = [i for i in (text.find(mark, end) for mark in ".;!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def _figure(number: str, unit: str | None, *, other_unit: str | None = None) -> int:
    value = float(number.replace(",", ""))
    scale = _SCALES.get((unit or other_unit or "").strip(), 1)
    if unit is None and other_unit and value >= 1000:
        scale = 1  # "50,000-75k": the first figure is already in dollars
    return int(value * scale)


def _is_money(number: str, unit: str | None, dollar: bool) -> bool:
    return bool(unit or dollar or "," in number)


def _brackets(text: str) -> list[Amount]:
    found: list[Amount] = []
    for match in _CLOSED_BRACKET.finditer(text):
        low_unit, high_unit = match.group("low_unit"), match.group("high_unit")
        if not (high_unit or low_unit or "$" in match.group(0) or "," in match.group(0)):
            continue
        low = _figure(match.group("low"), low_unit, other_unit=high_unit)
        high = _figure(match.group("high"), high_unit, other_unit=low_unit)
        if low < high:
            found.append(_bracket_amount(text, match, low, high))
    for match in _UNDER.finditer(text):
        if not _is_money(match.group("high"), match.group("high_unit"), "$" in match.group(0)):
            continue
        found.append(
            _bracket_amount(
                text, match, None, _figure(match.group("high"), match.group("high_unit"))
            )
        )
    for match in _OVER.finditer(text):
        name = "low" if match.group("low") else "plus"
        number, unit = match.group(name), match.group(f"{name}_unit")
        if not _is_money(number, unit, "$" in match.group(0)):
            continue
        found.append(_bracket_amount(text, match, _figure(number, unit), None))
    return found


_PERIOD_AFTER = re.compile(r"\s*(?:/|per|a|an|each)\s*(?:yr|year|month|mo|semester|sem|term)\b")


def _bracket_amount(text: str, match: re.Match, low: int | None, high: int | None) -> Amount:
    """A bracket as one amount, made yearly when a period follows ("under $10k a semester")."""
    period = _PERIOD_AFTER.match(text, match.end())
    times = _per_year(period.group(0) if period else None)
    low = low * times if low is not None else None
    high = high * times if high is not None else None
    end = period.end() if period else match.end()
    bracket = {"low": low, "high": high}
    value = low if low is not None else high
    assert value is not None, "every bracket pattern captures a bound"
    return Amount(value, match.start(), end, _clause_around(text, match.start(), end), bracket)


def money_amounts(text: str, *, bare_numbers_are_money: bool) -> list[Amount]:
    """Dollar amounts in `text` (lower-cased), yearly. Bare numbers count only when asked about
    money. Brackets ("150-200k", "<50k", "200k+") come back as one amount with its bracket."""
    amounts = _brackets(text)
    taken = [(a.start, a.end) for a in amounts]

    def overlaps(start: int, end: int) -> bool:
        return any(start < t_end and end > t_start for t_start, t_end in taken)

    for match in _MONEY.finditer(text):
        if overlaps(*match.span("number")):
            continue
        raw = match.group("number").replace(",", "")
        scale = (match.group("scale") or "").lower()
        has_marker = bool(
            match.group("dollar")
            or scale
            or "," in match.group("number")
            or (match.group("period") and float(raw) >= 100)
        )
        value = float(raw)
        if scale == "m" and not match.group("dollar"):
            continue  # "5m" is a distance or a time more often than five million dollars
        if not has_marker:
            # "3.8", "1280 on the SAT" and "ACT 27" are not money unless money was the question.
            if not bare_numbers_are_money or value < 1000 or "." in raw:
                continue
            if re.search(r"\b(sat|act|gpa)\b", text[max(0, match.start() - 12) : match.end() + 12]):
                continue
        value *= _SCALES.get(scale, 1)
        value *= _per_year(match.group("period"))
        amounts.append(
            Amount(int(value), match.start(), match.end(), _clause_around(text, *match.span()))
        )
    for match in _WORD_MONEY.finditer(text):
        if overlaps(*match.span()):
            continue
        number = words_to_number(match.group("words"))
        if number is None:
            continue
        value = number * 1000
        value *= _per_year(match.group("period"))
        amounts.append(
            Amount(value, match.start(), match.end(), _clause_around(text, *match.span()))
        )
    return sorted(amounts, key=lambda amount: amount.start)


INCOME_CUES = (
    r"\b(income|incomes|make|makes|making|earn|earns|earning|salary|salaries|household|hhi|"
    r"live on|living on|retired on|social security|pension|"
    r"bring in|brings in|combined|bracket|agi|we're at|family makes)\b"
)
BUDGET_CUES = (
    r"\b(afford|affordable|budget|pay|paying|spend|spending|contribute|tuition|cost|costs|"
    r"can (?:only |just |probably |maybe )?do|could (?:only |just |probably |maybe )?do|can't do|"
    r"(?:will|'ll|would) do|schooling|education|enough for|enough to|"
    r"cannot do|can't pay|can't spend|can't afford|ceiling|budgeted|budgeting|"
    r"set aside|saved|manage|cover|covers|covering|toward|towards|swing|give|chip in|spare|handle|"
    r"put in|"
    r"keep it under|keep it below|ok with|okay with|fine with|comfortable with|most we can|"
    r"capped|cap|caps|limit|limited to|the most|at the most|told him|told her|told them|help|"
    r"helping|for (?:college|school|tuition)|out of pocket|per year for|efc|"
    r"sai)\b"
)
# Words that bound a budget but also describe incomes ("income is under 40k").
WEAK_BUDGET_CUES = r"\b(max|maximum|up to|no more than|at most|under|tops|cap)\b"
BUDGET_ANY = (
    r"\b(money|cost|costs|price|budget|paying)\b[^.]{0,25}\b(not|isn't|isnt|is not|no|doesn't|"
    r"does not|never)\b[^.]{0,12}\b(issue|object|concern|problem|matter|factor|worry)"
    r"|\bno (real )?budget\b|\bfull[- ]pay\b|\bwhatever it costs\b|\bcan pay (anything|whatever)\b"
    r"|\bcost is no (object|concern)\b|\bnot worried about (money|cost|price)\b"
)


# Figures that are neither: an aid formula's result ("our EFC is 22k"), a price quoted ("would
# rather not spend 90k").
NOT_A_BUDGET_OR_INCOME = re.compile(
    r"\b(?:efc|sai|expected family contribution|student aid index|npc|net price calculator|"
    r"sticker|coa|cost of attendance)\b[^,;.\n]{0,30}$"
    r"|\b(?:rather not|not|don't want to|do not want to|never)\s+(?:\w+\s+){0,2}"
    r"(?:spend|pay|paying|spending)(?:\s+\w+){0,2}\s*$"
)


# ...or money that comes from elsewhere: "she already has a $10,000 scholarship".
NOT_FROM_THE_FAMILY = re.compile(
    r"^\s*(?:a year |per year |a yr |/yr )?(?:in )?(?:scholarships?|grants?|awards?|merit|aid|"
    r"loans?|of aid|of merit)\b"
)


def is_other_figure(text: str, amount: Amount) -> bool:
    return bool(
        NOT_A_BUDGET_OR_INCOME.search(text[max(0, amount.start - 50) : amount.start])
        or NOT_FROM_THE_FAMILY.match(text[amount.end : amount.end + 30])
    )


def _phrase_windows(text: str, amounts: list[Amount], index: int) -> tuple[str, str, str]:
    """The words before and after an amount within its own phrase, and the phrase before it
    when the amount's own says nothing ("can't contribute much, about 5k")."""
    amount = amounts[index]
    previous_end = amounts[index - 1].end if index else 0
    next_start = amounts[index + 1].start if index + 1 < len(amounts) else len(text)
    # Only the words in the amount's own phrase count: "120k household, 15k for college".
    phrase_end = r"[,;\n!?()]|\.\s| and | but "
    before = re.split(phrase_end, text[max(previous_end, amount.start - 40) : amount.start])[-1]
    after = re.split(phrase_end, text[amount.end : min(next_start, amount.end + 25)])[0]
    carried = ""
    if re.fullmatch(
        r"(?:\s*(?:about|around|like|maybe|roughly|approximately|probably|prob|only|max|tops|~|"
        r"which|that|that's|is|so|realistically|honestly|it's|its))*\s*\$?\s*",
        before,
    ):
        earlier = re.split(phrase_end, text[max(previous_end, amount.start - 60) : amount.start])
        carried = earlier[-2] if len(earlier) > 1 else ""
    return before, after, carried


def money_slot_by_words(text: str, amounts: list[Amount], index: int) -> str | None:
    """Budget or income as the amount's own words say it, or None when they don't."""
    for window in _phrase_windows(text, amounts, index):
        income = re.search(INCOME_CUES, window)
        budget = re.search(BUDGET_CUES, window)
        if income and not budget:
            return "income"
        if budget and not income:
            return "budget"
    return None


def money_slot(
    text: str, amounts: list[Amount], index: int, asked: set[str], *, describing: bool = False
) -> str:
    """Budget or income: the words in the amount's own phrase decide (before it, then after
    it), then the question the coach just asked ("we make 120k and can pay 15k" holds one of
    each; after "What is your household income?", "around $95,000 a year" is income)."""
    by_words = money_slot_by_words(text, amounts, index)
    if by_words:
        return by_words
    amount = amounts[index]
    before, after, _ = _phrase_windows(text, amounts, index)
    if "income" in asked and "budget" not in asked:
        return "income"
    own = text[amount.start : amount.end]
    if any(re.search(WEAK_BUDGET_CUES, window) for window in (before, own, after)):
        return "budget"
    # A figure with no words of its own in a self-description ("Single mom, around 52k") is the
    # household income such posts list; in a short answer it is what the family can pay.
    if (amount.bracket or describing) and "budget" not in asked:
        return "income"
    return "budget"
