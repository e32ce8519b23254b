"""Beat jobs of transcript review: the hourly drift check."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from review.monitoring import drift_check


@shared_task(
    name="review.check_drift",
    acks_late=True,
    # A database blip is worth another try; the check is idempotent (an alert already raised in
    # the recent window is not raised again), so a retry or a redelivery cannot double-alert.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def check_drift() -> int:
    return len(drift_check())
