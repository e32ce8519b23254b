"""Chat models (OpenAI, Anthropic, Ollama through LangChain) as the coach's language layer.

One structured-output call per turn reads the family's message. Whatever the model returns is
checked against the same slot rules as the offline reading; an answer that fails them, a timeout
or a provider error falls back to the offline rules for that turn, and the fallback is traced.
The model never decides whether the coach keeps asking: that is the gate's job.
"""

import concurrent.futures
import contextvars
import logging
import random
import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast

from django.core.exceptions import ImproperlyConfigured
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from coach.language import prompts
from coach.language.base import ExtractedFact, Intent, Interpretation
from coach.language.offline import OfflineLanguageModel
from coach.profile import MAJORS, SLOTS, TOPIC_SLOTS, SlotValueError, validate_slot_value

logger = logging.getLogger(__name__)

# Built from the vocabulary itself, so the schema the model fills cannot drift from it (a type
# checker cannot read a Literal built at run time: to it they are strings).
if TYPE_CHECKING:
    SlotName = str
    TopicName = str
else:
    SlotName = Literal[SLOTS]
    TopicName = Literal[tuple(TOPIC_SLOTS)]


class StatedFact(BaseModel):
    slot: SlotName
    value: Any = Field(description="number, string, boolean, list of state codes, or 'any'")
    confidence: float = Field(1.0, ge=0, le=1, description="how sure you are the family said it")


class TurnReading(BaseModel):
    """What one family message says (the structured output the model must return)."""

    facts: list[StatedFact] = Field(default_factory=list)
    intents: list[
        Literal[
            "just_show_me",
            "question",
            "off_topic",
            "greeting",
            "correction",
            "other_language",
            "save_list",
            "email_list",
        ]
    ] = Field(default_factory=list)
    declined: list[TopicName] = Field(default_factory=list)
    acknowledgement: str = Field("", max_length=400)


class ModelUnavailable(Exception):
    """The model gave no usable answer this turn (timeout, provider error, retries spent)."""


def _numbers_in(text: str) -> set[str]:
    """Numbers as written, without thousands separators or a trailing point ("24,000." → 24000)."""
    return {number.replace(",", "").rstrip(".") for number in re.findall(r"\d[\d,.]*", text)}


# Model text reaches the family verbatim: nothing that could render as markup or a link.
MARKUP_MARKS = ("<", ">", "![", "](", "```")
# The end of a text still being written that may yet become a number or a mark ("3." of "3.8",
# "!" of "![", "]" of "](", "``" of "```"): shown once the next character settles it.
_UNSETTLED_END = re.compile(r"(\d[\d,.]*|[!\]`]+)$")


def acknowledgement_allowed(text: str, family_text: str) -> bool:
    """No markup, and no number the family did not say (a model must not invent prices or
    rates)."""
    if any(mark in text for mark in MARKUP_MARKS):
        return False
    return not (_numbers_in(text) - _numbers_in(family_text))


def acknowledgement_draft(partial: str, family_text: str) -> str | None:
    """What of an acknowledgement the model is still writing may be shown now: its settled part,
    while that passes `acknowledgement_allowed`; None once it cannot (the whole will not either)."""
    settled = _UNSETTLED_END.sub("", partial).lstrip()
    return settled if acknowledgement_allowed(settled, family_text) else None


def is_transient(error: BaseException) -> bool:
    """Timeouts, rate limits, 5xx and dropped connections are worth retrying; the rest is not."""
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    status = getattr(error, "status_code", None) or getattr(
        getattr(error, "response", None), "status_code", None
    )
    if isinstance(status, int):
        return status == 429 or status >= 500
    name = type(error).__name__
    return any(word in name for word in ("Timeout", "RateLimit", "Connection", "Overloaded"))


class ChatLanguageModel:
    # Its acknowledgement can be shown while the model writes it (see coach.graph.drafts).
    writes_text = True

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        name: str,
        timeout_seconds: float = 20.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
    ):
        self.name = name
        self.structured = chat_model.with_structured_output(TurnReading, include_raw=True)
        self.timeout_seconds = timeout_seconds
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.offline = OfflineLanguageModel()
        # One worker per model: a call that overruns its timeout keeps the thread, not the turn.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=4, thread_name_prefix="chat-model"
        )

    def interpret(self, text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
        messages = [
            SystemMessage(
                prompts.EXTRACTION_SYSTEM
                + " Field keys for major: "
                + ", ".join(sorted(MAJORS))
                + "."
            ),
            HumanMessage(
                f"The coach last asked about: {', '.join(asked) or 'nothing'}.\n"
                f"Family message:\n{text}"
            ),
        ]
        try:
            reading, tokens, retries = self._read(messages)
            interpretation = replace(self._validated(reading, text), tokens=tokens, retries=retries)
        except (ModelUnavailable, SlotValueError, ValidationError) as error:
            logger.warning("chat model %s fell back to offline rules: %s", self.name, error)
            offline = self.offline.interpret(text, asked=asked, profile=profile)
            return replace(
                offline, fallback_reason=f"{type(error).__name__}: {error}"[:300], model=self.name
            )
        if not (interpretation.facts or interpretation.intents or interpretation.declined):
            return replace(interpretation, intents=frozenset({Intent.UNPARSED}))
        return interpretation

    def _read(self, messages) -> tuple[TurnReading, int | None, int]:
        """The model's reading, the tokens it reported using, and how many calls were retried."""
        last_error: BaseException | None = None
        for attempt in range(self.max_attempts):
            # In the caller's context, so the call is part of the graph run (its callbacks): that
            # is how LangGraph's message streaming sees the tokens as the model writes them.
            future = self._executor.submit(
                contextvars.copy_context().run, self.structured.invoke, messages
            )
            try:
                # include_raw=True: a dict of `raw`, `parsed` and `parsing_error`.
                result = cast(dict[str, Any], future.result(timeout=self.timeout_seconds))
            except concurrent.futures.TimeoutError:
                future.cancel()
                last_error = TimeoutError(f"no answer within {self.timeout_seconds:g}s")
            except Exception as error:
                if not is_transient(error):
                    raise ModelUnavailable(f"{type(error).__name__}: {error}") from error
                last_error = error
            else:
                if result.get("parsing_error") or result.get("parsed") is None:
                    problem = result.get("parsing_error") or "no structured answer"
                    raise ModelUnavailable(f"unparseable output: {problem}")
                usage = getattr(result.get("raw"), "usage_metadata", None) or {}
                return result["parsed"], usage.get("total_tokens"), attempt
            if attempt + 1 < self.max_attempts:
                time.sleep(self.backoff_seconds * (2**attempt) * (0.5 + random.random()))
        raise ModelUnavailable(f"{self.max_attempts} attempts failed; last: {last_error!r}")

    def _validated(self, reading: TurnReading, text: str) -> Interpretation:
        facts = tuple(
            ExtractedFact(fact.slot, validate_slot_value(fact.slot, fact.value), fact.confidence)
            for fact in reading.facts
        )
        acknowledgement = reading.acknowledgement.strip()
        if not acknowledgement_allowed(acknowledgement, text):
            acknowledgement = ""
        return Interpretation(
            facts=facts,
            intents=frozenset(reading.intents),
            declined=frozenset(reading.declined),
            acknowledgement=acknowledgement or None,
            model=self.name,
        )


def chat_language_model(spec: str) -> ChatLanguageModel:
    """Build the model named by COACH_MODEL, e.g. 'openai:gpt-4.1-mini'."""
    provider = spec.split(":", 1)[0]
    try:
        from langchain.chat_models import init_chat_model

        chat_model = init_chat_model(spec, timeout=20, max_retries=0, temperature=0)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"COACH_MODEL={spec} needs the langchain-{provider} package: "
            f"pip install langchain-{provider}"
        ) from error
    return ChatLanguageModel(chat_model, name=spec)
