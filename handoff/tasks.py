"""Beat jobs of the handoff."""

from celery import shared_task

from handoff.services import escalations_notify_overdue


@shared_task(name="handoff.notify_overdue_escalations", acks_late=True, time_limit=120)
def notify_overdue_escalations() -> int:
    return escalations_notify_overdue()
