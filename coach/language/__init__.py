"""The language layer: reads family messages. Offline rules by default, chat models by config."""

import functools

from django.conf import settings

from coach.language.base import Intent, Interpretation, LanguageModel
from coach.language.offline import OfflineLanguageModel

__all__ = ["Intent", "Interpretation", "LanguageModel", "get_language_model"]


@functools.cache
def get_language_model() -> LanguageModel:
    """The model named by COACH_MODEL, built once per process."""
    if settings.COACH_MODEL == "offline":
        return OfflineLanguageModel()
    from coach.language.chat import chat_language_model

    return chat_language_model(settings.COACH_MODEL)
