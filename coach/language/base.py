"""The language layer's contract: what any model (offline rules or a chat model) must return."""

from dataclasses import dataclass, field
from typing import Any, Protocol


class Intent:
    """What a message is about besides facts. Plain strings so they checkpoint and trace as-is."""

    GREETING = "greeting"
    JUST_SHOW_ME = "just_show_me"
    QUESTION = "question"
    OFF_TOPIC = "off_topic"
    OTHER_LANGUAGE = "other_language"
    UNPARSED = "unparsed"
    CORRECTION = "correction"
    # Requests for a durable write; the coach proposes it and waits for approval (DESIGN.md §6).
    SAVE_LIST = "save_list"
    EMAIL_LIST = "email_list"


@dataclass(frozen=True)
class ExtractedFact:
    slot: str
    value: Any
    # 1.0 when the family said it outright; lower when it was read between the lines.
    confidence: float = 1.0
    provenance: str = "stated"
    # How the family put it, when the value alone loses something: a GPA's scale or weighting
    # ({"weighted": true, "scale": 5.0}), an income bracket ({"low": 150000, "high": 200000}),
    # other majors named after the first ({"alternatives": ["history"]}). Kept in the ledger.
    detail: dict | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RejectedValue:
    """A value the family gave that cannot be right (GPA 7, SAT 2400): never stored."""

    slot: str
    raw: str
    explanation: str


@dataclass(frozen=True)
class Interpretation:
    facts: tuple[ExtractedFact, ...] = ()
    rejected: tuple[RejectedValue, ...] = ()
    intents: frozenset[str] = frozenset()
    # Ask topics the family explicitly declined to answer ("prefer not to say", "not sure").
    declined: frozenset[str] = frozenset()
    # A short acknowledgement in the model's own words (chat models); None: use the template.
    acknowledgement: str | None = None
    # Why the chat model's answer was replaced by the offline rules, for the decision trace.
    fallback_reason: str | None = None
    model: str = "offline"
    # Chat models only: tokens the call used (when the provider reports them) and calls beyond
    # the first (transient errors retried), for the decision trace.
    tokens: int | None = None
    retries: int = 0
    # What the family asked the list to include beyond the default scope (DESIGN.md §5):
    # "two_year" (community colleges, certificates), "for_profit".
    scope: frozenset[str] = frozenset()
    # Colleges the family named, as written; the search includes those the catalog knows.
    named_colleges: tuple[str, ...] = ()


class LanguageModel(Protocol):
    name: str
    # True when the model writes words of the reply (a chat model's acknowledgement), which the
    # page can then show as they are written; False for templated replies.
    writes_text: bool

    def interpret(self, text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
        """Read one family message: every fact it states, not only the answer to `asked`."""
        ...
