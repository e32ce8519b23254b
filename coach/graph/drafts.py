"""The coach's reply while a chat model writes it: the acknowledgement, token by token, as far as
the output checks allow (`coach.language.chat.acknowledgement_draft`).

A draft is for the page only: shown while the turn runs, replaced by the stored reply when the
turn ends (which may word it differently: a template when the whole acknowledgement failed the
checks, or a redirect). It is never stored.
"""

from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.utils.json import parse_partial_json

from coach.language.chat import acknowledgement_draft

# The node whose model calls read the family's message and write the acknowledgement.
READING_NODE = "extract"


def _acknowledgement_so_far(message: AIMessageChunk) -> str:
    """The acknowledgement in a structured answer still being written: in its tool call's
    arguments (tool calling), or in its text (JSON mode)."""
    if message.tool_calls:
        arguments: Any = message.tool_calls[0]["args"]
    else:
        try:
            arguments = parse_partial_json(message.text) if message.text else {}
        except ValueError:
            arguments = {}
    value = arguments.get("acknowledgement") if isinstance(arguments, dict) else None
    return value if isinstance(value, str) else ""


class ReplyDrafts:
    """Fed LangGraph's message stream of a turn; calls `on_draft` with the draft whenever it
    changes ("" clears it: a new model call started, or the one underway can no longer pass)."""

    def __init__(self, family_texts: list[str], on_draft: Callable[[str], None]):
        self.family_text = "\n".join(family_texts)
        self.on_draft = on_draft
        self._calls: dict[str | None, AIMessageChunk] = {}
        self._shown = ""

    def feed(self, chunk: Any, metadata: dict[str, Any]) -> None:
        if metadata.get("langgraph_node") != READING_NODE or not isinstance(chunk, AIMessageChunk):
            return
        so_far = self._calls.get(chunk.id)
        message = self._calls[chunk.id] = chunk if so_far is None else so_far + chunk
        draft = acknowledgement_draft(_acknowledgement_so_far(message), self.family_text) or ""
        if draft != self._shown:
            self._shown = draft
            self.on_draft(draft)
