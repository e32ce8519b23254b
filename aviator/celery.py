"""The Celery app shared by the worker, beat and every process that enqueues tasks."""

import os

from celery import Celery
from celery.signals import task_prerun, worker_process_shutdown

from aviator.ops.heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")

app = Celery("aviator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(WorkerHeartbeat)


@task_prerun.connect
def _start_task_with_an_empty_log_context(**kwargs):
    from aviator.logs import clear_log_context

    clear_log_context()


@worker_process_shutdown.connect
def _send_the_last_live_events(**kwargs):
    # A prefork child leaves through os._exit, which skips the atexit flush.
    from coach.events import flush_events

    flush_events()
