"""The coach's tools: what the graph pauses for and a Celery task runs (DESIGN.md §2).

Each takes the JSON payload the graph sent and returns JSON for the graph to resume with. A
`PermanentToolError` means retrying cannot help; any other exception may be transient.
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.catalog.college_names import resolve_college_names
from coach.catalog.list_review import explain_list_change
from coach.catalog.ranking import rank_colleges
from coach.catalog.scope import Scope
from coach.catalog.selectors import catalog_records
from coach.profile import SLOTS

# How the summary counts each fit; colleges whose fit rests on no data are counted together.
FIT_WORDS = {
    ("reach",): ("reach", "reaches"),
    ("match",): ("match", "matches"),
    ("likely",): ("likely admit", "likely admits"),
    ("open_admission", "no_data"): (
        "without published admission data",
        "without published admission data",
    ),
}


class PermanentToolError(Exception):
    pass


class _ScopeIn(BaseModel):
    """The family's widening of the default scope (strict: `"true"` or `1` is not a bool)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    two_year: bool = False
    for_profit: bool = False
    named: list[int] = Field(default_factory=list, max_length=50)
    named_names: list[str] = Field(default_factory=list, max_length=50)


class _SearchIn(BaseModel):
    # Other keys are ignored, as they always were; a misspelt scope key is refused (above).
    model_config = ConfigDict(strict=True)

    profile: dict[str, Any]
    scope: _ScopeIn = Field(default_factory=_ScopeIn)
    previous: list[int] = Field(default_factory=list, max_length=100)


def search_colleges(payload: dict[str, Any]) -> dict[str, Any]:
    """Rank the catalog for the family. The payload:

        {"profile": {<known slots>},
         "scope": {"two_year": bool, "for_profit": bool,        # optional, each default false
                   "named": [unitid, ...], "named_names": [str, ...]},
         "previous": [unitid, ...]}                              # optional: the list shown last

    `named` are colleges the family named that are already known by unitid; `named_names` are
    names as the family typed them, resolved against the catalog when unambiguous. Returns the
    ranking (`RankingResult.as_dict()`) plus `changes` (what left and came in since `previous`,
    or "") and `unmatched_names` (the typed names no catalog college answers to unambiguously).
    """
    try:
        request = _SearchIn.model_validate(payload)
    except ValidationError as error:
        raise PermanentToolError(f"search_colleges got a malformed payload: {error}") from None
    profile = request.profile
    if not set(profile) <= set(SLOTS):
        raise PermanentToolError("search_colleges needs a profile of known slots")
    catalog = catalog_records()
    if not catalog:
        raise PermanentToolError("the college catalog is empty")
    unmatched = [
        name for name in request.scope.named_names if not resolve_college_names([name], catalog)
    ]
    named = {*request.scope.named, *resolve_college_names(request.scope.named_names, catalog)}
    scope = Scope(
        two_year=request.scope.two_year,
        for_profit=request.scope.for_profit,
        named=frozenset(named),
    )
    result = rank_colleges(profile, catalog, scope=scope)
    return result.as_dict() | {
        "changes": explain_list_change(request.previous, result, profile, catalog, scope),
        "unmatched_names": unmatched,
    }


def explain_shortlist(payload: dict[str, Any]) -> dict[str, Any]:
    """A short spoken summary of the shortlist: how many, the mix of fits, what it rests on."""
    shortlist = payload.get("shortlist")
    if not isinstance(shortlist, dict) or "recommendations" not in shortlist:
        raise PermanentToolError("explain_shortlist needs a shortlist")
    items = shortlist["recommendations"]
    # Shortlists found before the scope and the change summary existed lack those keys.
    parts = [shortlist.get("changes", "")]
    if items:
        mix = ", ".join(
            f"{count} {singular if count == 1 else plural}"
            for fits, (singular, plural) in FIT_WORDS.items()
            if (count := sum(item["fit"] in fits for item in items))
        )
        parts.append(f"Here are {len(items)} colleges that fit ({mix}); each card says why.")
    parts.append(shortlist.get("scope_note", ""))
    if not items or len(items) < 6 or shortlist["relaxations"]:
        parts.append(shortlist["explanation"])
    if unmatched := shortlist.get("unmatched_names"):
        quoted = ", ".join(f"“{name}”" for name in unmatched)
        parts.append(f"I couldn't find {quoted} in the college catalog.")
    return {"text": " ".join(part for part in parts if part)}


TOOLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "search_colleges": search_colleges,
    "explain_shortlist": explain_shortlist,
}
