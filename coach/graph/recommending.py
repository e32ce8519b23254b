"""The search (a Celery task, behind an `interrupt()`) and the list it presents."""

from langgraph.types import interrupt

from coach.graph.replies import reply_for, reply_opening
from coach.graph.state import CoachState, decision_of, shortlist_of
from coach.graph.tracing import trace_entry, traced
from coach.language.phrasing import (
    assumptions_sentence,
    question,
)
from coach.ledger import (
    fit_profile,
)


@traced
def search(state: CoachState, config=None):
    """Pause for the college search, which a Celery task runs; resume with its result."""
    decision = decision_of(state)
    # Nothing may happen before interrupt(): on resume this node runs again from the top.
    scope = set(state.get("scope") or [])
    shortlist = interrupt(
        {
            "tool": "search_colleges",
            # Weighted or other-scale GPAs converted, as the fit rules expect.
            "profile": fit_profile(state["facts"]),
            "scope": {
                "two_year": "two_year" in scope,
                "for_profit": "for_profit" in scope,
                "named_names": state.get("named_colleges") or [],
            },
            "previous": [college["unitid"] for college in state.get("recommended") or []],
        }
    )
    found = "error" if "error" in shortlist else f"{len(shortlist['recommendations'])} colleges"
    return {"shortlist": shortlist}, trace_entry(
        "search",
        "tool(search_colleges)",
        f"{decision['reason']}; found {found}",
        score=decision["score"],
    )


@traced
def present(state: CoachState, config=None):
    """Pause for the shortlist's explanation, then answer with the list and any follow-up."""
    decision = decision_of(state)
    shortlist = shortlist_of(state)
    explained = interrupt({"tool": "explain_shortlist", "shortlist": shortlist})
    if "error" in explained:
        explained = {"text": shortlist["explanation"]}
    parts = [reply_opening(state), explained["text"], assumptions_sentence(decision["assumptions"])]
    asks: list[str] = []
    history = dict(state["history"])
    if decision["follow_up"] and shortlist["recommendations"]:
        parts.append(question(decision["follow_up"]))
        asks = [decision["follow_up"]]
        history["optional_asked"] = True
    text = " ".join(part for part in parts if part)
    update = {
        "phase": "recommended",
        "recommended": [
            {"unitid": college["unitid"], "name": college["name"]}
            for college in shortlist["recommendations"]
        ],
        "asked": asks,
        "history": history,
        "transcript": [{"role": "coach", "text": text, "message_id": None}],
        "reply": reply_for(state, text, asks),
    }
    return update, trace_entry(
        "present",
        "recommend",
        decision["reason"],
        score=decision["score"],
        shown=len(shortlist["recommendations"]),
        follow_up=decision["follow_up"],
    )
