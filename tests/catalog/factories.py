"""Hand-made catalog records and profiles for the pure catalog tests (no database)."""

from coach.catalog.records import CollegeRecord
from coach.profile import empty_profile

NO_BRACKETS = (None,) * 5


def college(unitid: int, **fields) -> CollegeRecord:
    """A private nonprofit Ohio college in the default scope (mainly bachelor's degrees, 60% of
    students graduating in six years), with an average net price of $20,000 and an engineering
    and a business program, unless told otherwise."""
    defaults = {
        "name": f"College {unitid}",
        "city": "Columbus",
        "state": "OH",
        "control": "private_nonprofit",
        "predominant_degree": 3,
        "completion_rate": 0.6,
        "net_price": 20_000,
        "url": f"https://college{unitid}.example.edu",
        "program_shares": {"engineering": 0.2, "business": 0.2},
    }
    return CollegeRecord(unitid=unitid, **(defaults | fields))


def public(unitid: int, state: str, **fields) -> CollegeRecord:
    defaults = {"tuition_in_state": 11_000, "tuition_out_of_state": 36_000, "net_price": 15_000}
    return college(unitid, state=state, control="public", **(defaults | fields))


def profile(**slots) -> dict:
    """Every slot known as 'no preference' except those given; academics unknown."""
    return empty_profile() | {"major": "undecided", "budget": "any", "states": "any"} | slots
