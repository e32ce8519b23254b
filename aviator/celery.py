"""The Celery app shared by the worker, beat and every process that enqueues tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")

app = Celery("aviator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
