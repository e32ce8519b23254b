"""My list: the colleges a family kept, as they were recommended to them, and the side-by-side
comparison families use to choose (the view of BigFuture and Niche)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coach.catalog.models import College
from coach.models import SavedCollege, Shortlist

FIT_WORDS = {"open_admission": "open admission", "no_data": "no admission data"}
# Side by side, four columns still fit a phone held sideways and a printed page.
COMPARE_AT_MOST = 4


@dataclass(frozen=True)
class SavedCard:
    college: College
    saved_at: datetime
    # As recommended to this family (from the list it was saved from); None when that list is gone.
    net_price_for_family: int | None
    fit: str | None
    reasons: tuple[str, ...]
    conversation_id: Any

    @property
    def fit_label(self) -> str:
        """The fit as a family reads it (DESIGN.md §5 keeps the keys)."""
        return FIT_WORDS.get(self.fit or "", self.fit or "")


def _recommendations_by_conversation(conversation_ids: set) -> dict[Any, list[dict[str, Any]]]:
    """Each conversation's recommended items, newest list first."""
    items: dict[Any, list[dict[str, Any]]] = {}
    for shortlist in Shortlist.objects.filter(conversation_id__in=conversation_ids).order_by(
        "-created"
    ):
        items.setdefault(shortlist.conversation_id, []).extend(shortlist.items)
    return items


def saved_cards(*, family) -> list[SavedCard]:
    """The family's saved colleges, newest first, each with what the coach said about it."""
    saved = list(SavedCollege.objects.filter(family=family).select_related("college"))
    recommended = _recommendations_by_conversation({entry.conversation_id for entry in saved})
    cards = []
    for entry in saved:
        item = next(
            (
                item
                for item in recommended.get(entry.conversation_id, [])
                if item["unitid"] == entry.college_id
            ),
            {},
        )
        cards.append(
            SavedCard(
                college=entry.college,
                saved_at=entry.saved_at,
                net_price_for_family=item.get("net_price"),
                fit=item.get("fit"),
                reasons=tuple(item.get("reasons") or ()),
                conversation_id=entry.conversation_id,
            )
        )
    return cards


def _money(value: int | None) -> str:
    return "—" if value is None else f"${value:,}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _middle_half(low: int | None, high: int | None) -> str:
    return "—" if low is None or high is None else f"{low}–{high}"


def _sat_middle_half(college: College) -> str:
    """Math plus reading, at the 25th and the 75th percentile."""
    math_25, read_25 = college.sat_math_25, college.sat_read_25
    math_75, read_75 = college.sat_math_75, college.sat_read_75
    if math_25 is None or read_25 is None or math_75 is None or read_75 is None:
        return "—"
    return _middle_half(math_25 + read_25, math_75 + read_75)


def _size(students: int | None) -> str:
    return "—" if students is None else f"{students:,} undergraduates"


def comparison_rows(cards: list[SavedCard]) -> list[tuple[str, list[str]]]:
    """The comparison table: (what, one value per college), in the order families weigh them."""

    def row(label, value_of):
        return (label, [value_of(card) for card in cards])

    return [
        row("Where", lambda card: f"{card.college.city}, {card.college.state}"),
        row("Net price for you, per year", lambda card: _money(card.net_price_for_family)),
        row("Average net price, per year", lambda card: _money(card.college.net_price)),
        row("Fit", lambda card: card.fit_label or "—"),
        row("Admission rate", lambda card: _share(card.college.admission_rate)),
        row("SAT, middle 50%", lambda card: _sat_middle_half(card.college)),
        row(
            "ACT, middle 50%",
            lambda card: _middle_half(card.college.act_25, card.college.act_75),
        ),
        row("Graduate within 6 years", lambda card: _share(card.college.completion_rate)),
        row(
            "Median earnings 10 years after entry",
            lambda card: _money(card.college.median_earnings_10y),
        ),
        row("Size", lambda card: _size(card.college.undergrad_size)),
    ]


class CompareError(ValueError):
    """What to compare was not a choice of one to four colleges from the family's list."""


def cards_to_compare(cards: list[SavedCard], chosen: list[str]) -> list[SavedCard]:
    """The chosen saved colleges, in the list's order; CompareError says what is wrong."""
    try:
        unitids = {int(value) for value in chosen}
    except ValueError:
        raise CompareError("Choose colleges from your list to compare.") from None
    if not unitids:
        raise CompareError("Choose two to four colleges to compare.")
    if len(unitids) > COMPARE_AT_MOST:
        raise CompareError(f"Compare up to {COMPARE_AT_MOST} colleges at a time.")
    picked = [card for card in cards if card.college.unitid in unitids]
    if len(picked) != len(unitids):
        raise CompareError("Only colleges on your list can be compared.")
    return picked
