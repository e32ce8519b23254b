"""The coach's tools: what the graph pauses for and a Celery task runs (DESIGN.md §2).

Each takes the JSON payload the graph sent and returns JSON for the graph to resume with. A
`PermanentToolError` means retrying cannot help; any other exception may be transient.
"""

from collections.abc import Callable
from typing import Any

from coach.catalog.ranking import rank_colleges
from coach.catalog.selectors import catalog_records
from coach.profile import SLOTS

FIT_WORDS = {
    "reach": ("reach", "reaches"),
    "match": ("match", "matches"),
    "likely": ("likely admit", "likely admits"),
}


class PermanentToolError(Exception):
    pass


def search_colleges(payload: dict[str, Any]) -> dict[str, Any]:
    profile = payload.get("profile")
    if not isinstance(profile, dict) or not set(profile) <= set(SLOTS):
        raise PermanentToolError("search_colleges needs a profile of known slots")
    catalog = catalog_records()
    if not catalog:
        raise PermanentToolError("the college catalog is empty")
    return rank_colleges(profile, catalog).as_dict()


def explain_shortlist(payload: dict[str, Any]) -> dict[str, Any]:
    """A short spoken summary of the shortlist: how many, the mix of fits, what it rests on."""
    shortlist = payload.get("shortlist")
    if not isinstance(shortlist, dict) or "recommendations" not in shortlist:
        raise PermanentToolError("explain_shortlist needs a shortlist")
    items = shortlist["recommendations"]
    if not items:
        return {"text": shortlist["explanation"]}
    mix = ", ".join(
        f"{count} {singular if count == 1 else plural}"
        for fit, (singular, plural) in FIT_WORDS.items()
        if (count := sum(item["fit"] == fit for item in items))
    )
    text = f"Here are {len(items)} colleges that fit ({mix}); each card says why."
    if len(items) < 6 or shortlist["relaxations"]:
        text += " " + shortlist["explanation"]
    return {"text": text}


TOOLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "search_colleges": search_colleges,
    "explain_shortlist": explain_shortlist,
}
