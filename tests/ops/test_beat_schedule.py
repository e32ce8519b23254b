"""Every job beat schedules names a task a worker knows (tasks live in several apps' modules)."""

import pytest
from django.conf import settings

from aviator.celery import app as celery_app


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_the_scheduled_task_is_registered(entry):
    celery_app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in celery_app.tasks
