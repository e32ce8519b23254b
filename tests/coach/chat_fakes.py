"""LangChain's fake chat models, made to play the coach's structured-output calls."""

import json
import time
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from coach.language.chat import ChatLanguageModel


class StructuredFake(GenericFakeChatModel):
    """GenericFakeChatModel that accepts tools, so `with_structured_output` works on it."""

    def bind_tools(self, tools, **kwargs):
        return self


class ScriptedFake(StructuredFake):
    """Plays a script: an AIMessage answers, an exception is raised, a number sleeps that long."""

    script: list[Any]
    calls: list[int] = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        step = self.script[min(len(self.calls), len(self.script) - 1)]
        self.calls.append(1)
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, int | float):
            time.sleep(step)
            step = AIMessage(content="too late")
        return ChatResult(generations=[ChatGeneration(message=step)])


class ProviderError(Exception):
    def __init__(self, status_code: int):
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


def reading(**args) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": "TurnReading", "args": args, "id": "1"}])


def chat_model(
    *script, fake_class: type[ScriptedFake] = ScriptedFake, **options
) -> tuple[ChatLanguageModel, ScriptedFake]:
    fake = fake_class(messages=iter([]), script=list(script), calls=[])
    options = {"timeout_seconds": 2, "max_attempts": 3, "backoff_seconds": 0} | options
    return ChatLanguageModel(fake, name="fake:model", **options), fake


class StreamingFake(ScriptedFake):
    """Writes its tool call a few characters at a time, as providers stream structured output
    (used whenever the caller streams, as LangGraph's message streaming does)."""

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        message = self._generate(messages).generations[0].message
        call = message.tool_calls[0]
        arguments = json.dumps(call["args"])
        for start in range(0, len(arguments), 4):
            first = start == 0
            chunk = ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {
                            "name": call["name"] if first else None,
                            "args": arguments[start : start + 4],
                            "id": call["id"] if first else None,
                            "index": 0,
                        }
                    ],
                )
            )
            if run_manager is not None:
                run_manager.on_llm_new_token("", chunk=chunk)
            yield chunk
