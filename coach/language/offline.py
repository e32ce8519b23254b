"""The offline default model: deterministic rules, no network (see `rules`)."""

from typing import Any

from coach.language.base import Interpretation
from coach.language.rules import read_message


class OfflineLanguageModel:
    name = "offline"
    writes_text = False  # templated replies, sent whole

    def interpret(self, text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
        return read_message(text, asked=asked, profile=profile)
