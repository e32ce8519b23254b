"""The model boundary under fault injection (`COACH_FAULTS` model_error / model_timeout /
model_delay).

An injected fault stands for the provider failing; the turn then does what it does when a real
chat model fails: it reads the message with the offline rules and traces the fallback.
"""

import logging
from dataclasses import replace
from typing import Any

from django.conf import settings

from aviator.faults import InjectedTransientFault, inject_model_faults
from coach.language.base import Interpretation, LanguageModel
from coach.language.offline import OfflineLanguageModel

logger = logging.getLogger(__name__)


class FaultInjectingModel:
    def __init__(self, inner: LanguageModel):
        self.inner = inner
        self.name = inner.name
        self.writes_text = inner.writes_text
        self.offline = OfflineLanguageModel()

    def interpret(self, text: str, *, asked: list[str], profile: dict[str, Any]) -> Interpretation:
        try:
            inject_model_faults(settings.COACH_FAULTS)
        except (TimeoutError, InjectedTransientFault) as error:
            logger.warning("model %s failed (injected): %s", self.name, error)
            reading = self.offline.interpret(text, asked=asked, profile=profile)
            return replace(
                reading, fallback_reason=f"{type(error).__name__}: {error}", model=self.name
            )
        return self.inner.interpret(text, asked=asked, profile=profile)
