"""The language layer: reads family messages. Offline rules by default, chat models by config."""

import functools

from django.conf import settings

from coach.language.base import Intent, Interpretation, LanguageModel
from coach.language.offline import OfflineLanguageModel

__all__ = ["Intent", "Interpretation", "LanguageModel", "get_language_model"]


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
