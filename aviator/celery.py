"""The Celery app shared by the worker, beat and every process that enqueues tasks."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aviator.settings")

app = Celery("aviator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Named by path, as the beat scheduler is (CELERY_BEAT_SCHEDULER): Celery loads it in the worker,
# and loading the app does not import the ops package (whose health check uses the app).
app.steps["worker"].add("aviator.ops.heartbeat:WorkerHeartbeat")


# A task's message carries the request id of whoever enqueued it, so its log lines join theirs.
REQUEST_ID_HEADER = "request_id"


@before_task_publish.connect
def _carry_the_request_id(headers=None, **kwargs):
    from aviator.logs import log_context

    request_id = (log_context.get() or {}).get("request_id")
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _start_task_with_a_log_context_of_its_own(task_id=None, task=None, **kwargs):
    """Forget the previous task's context; name this one by its task id and the request id it
    was enqueued under."""
    from aviator.logs import log_context

    fields = {"task_id": task_id, "task": task.name}
    request_id = getattr(task.request, REQUEST_ID_HEADER, None)
    if request_id:  # beat's jobs were enqueued by no request
        fields["request_id"] = request_id
    log_context.set(fields)
