"""What a run of the graph is given besides its state: the language model and the value-of-
information picker. They travel in the run's config (never in the checkpoint), so tests can hand
in fakes and every process builds its own."""

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings

from coach.language.base import LanguageModel
from coach.language.offline import OfflineLanguageModel

LANGUAGE_MODEL = "language_model"
OPTIONAL_TOPIC_PICKER = "optional_topic_picker"


def _configurable(config) -> dict[str, Any]:
    return (config or {}).get("configurable") or {}


@functools.cache
def get_language_model() -> LanguageModel:
    """The model named by COACH_MODEL, built once per process (behind the fault injector when
    chaos runs configure model faults)."""
    if settings.COACH_MODEL == "offline":
        model: LanguageModel = OfflineLanguageModel()
    else:
        from coach.language.chat import chat_language_model

        model = chat_language_model(settings.COACH_MODEL)
    if {"model_error", "model_timeout", "model_delay"} & set(settings.COACH_FAULTS):
        from coach.language.faulty import FaultInjectingModel

        model = FaultInjectingModel(model)
    return model


def language_model_from_config(config) -> LanguageModel:
    return _configurable(config).get(LANGUAGE_MODEL) or get_language_model()


def optional_topic_picker_from_config(config) -> Callable[[Mapping[str, Any]], str | None] | None:
    """None: ask no optional question."""
    return _configurable(config).get(OPTIONAL_TOPIC_PICKER)
