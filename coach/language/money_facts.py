"""Budgets and household incomes in a message, offered to its `FoundFacts`: the words around an
amount decide what it is (`coach.language.money`), then the question asked."""

import re
from typing import Any

from coach.language.clauses import matches_any
from coach.language.found import FoundFacts
from coach.language.money import (
    BUDGET_ANY,
    BUDGET_CUES,
    LOW_INCOME,
    LOW_INCOME_VALUE,
    is_other_figure,
    money_amounts,
    money_slot,
    money_slot_by_words,
)

# Less than this a year is a wage or a fee, not a budget or a household income ("$15/half hr").
MIN_YEARLY_AMOUNT = 1_000


def read_money(
    reading: FoundFacts,
    text: str,
    asked: set[str],
    *,
    only: str | None = None,
    profile: dict[str, Any] | None = None,
    describing: bool = False,
) -> None:
    """Budgets and incomes in `text`; `only` when a field's label already says which. An amount
    with no words of its own that repeats the known income ("around 90k, like I said") is that
    income again, not a new budget."""
    money_asked = "budget" in asked or "income" in asked or only is not None
    amounts = money_amounts(text, bare_numbers_are_money=money_asked)
    known_income = (profile or {}).get("income")
    pronoun = student_pronoun(text)
    decided: list[tuple[bool, int, str, Any]] = []
    for index, amount in enumerate(amounts):
        if is_other_figure(text, amount) or amount.as_income() < MIN_YEARLY_AMOUNT:
            continue  # "$15 a half hour", an aid formula's figure, a scholarship
        for_whom = re.match(r"[^.;,]{0,20}?\bfor (him|her)\b", text[amount.end :])
        if pronoun and for_whom and for_whom.group(1) != pronoun:
            continue  # "we pay about 14k a semester for him" (her brother)
        # A field's label decides, unless the words say otherwise: "Income: ~$130k (parents
        # will cover up to $25k/yr)" holds a budget too.
        label_asked = {only} if only else asked
        slot = money_slot(text, amounts, index, label_asked, describing=describing)
        if only == "budget":
            slot = only
        # Amounts whose own words say what they are come first: "sell stickers (~$300/mo)"
        # must not take the income slot before "household income ~5,500/mo".
        cued = only is not None or money_slot_by_words(text, amounts, index) is not None
        decided.append((not cued, index, slot, amount))
    for _, _, slot, amount in sorted(decided, key=lambda item: item[:2]):
        if (
            slot == "budget"
            and only is None
            and known_income == amount.as_income()
            and not re.search(BUDGET_CUES, amount.clause)
        ):
            slot = "income"
        if slot == "income":
            reading.offer("income", amount.as_income(), amount.clause, detail=amount.bracket)
        else:
            reading.offer("budget", amount.as_budget(), amount.clause, detail=amount.bracket)
    if matches_any(BUDGET_ANY, text):
        reading.offer("budget", "any", "no budget limit")
    if only != "budget" and (low_income := LOW_INCOME.search(text)):
        # "Low income" places the family in the lowest price bracket; it is read, not said.
        words = {"words": low_income.group(0)}
        reading.offer("income", LOW_INCOME_VALUE, "low income", 0.8, "inferred", words)


def student_pronoun(text: str) -> str | None:
    """ "her" or "him", whichever the message uses most for someone (the student, usually)."""
    hers = len(re.findall(r"\b(?:she|her|she's)\b", text))
    his = len(re.findall(r"\b(?:he|him|his|he's)\b", text))
    if hers == his:
        return None
    return "her" if hers > his else "him"
