"""What a run of the graph is given besides its state: the language model and the value-of-
information picker. They travel in the run's config (never in the checkpoint), so tests can hand
in fakes and every process builds its own."""

from collections.abc import Callable, Mapping
from typing import Any

from coach.language import LanguageModel, get_language_model

LANGUAGE_MODEL = "language_model"
OPTIONAL_TOPIC_PICKER = "optional_topic_picker"


def _configurable(config) -> dict[str, Any]:
    return (config or {}).get("configurable") or {}


def language_model_from_config(config) -> LanguageModel:
    return _configurable(config).get(LANGUAGE_MODEL) or get_language_model()


def optional_topic_picker_from_config(config) -> Callable[[Mapping[str, Any]], str | None] | None:
    """None: ask no optional question."""
    return _configurable(config).get(OPTIONAL_TOPIC_PICKER)
