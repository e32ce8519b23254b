"""Operations' beat jobs."""

from celery import shared_task

from aviator.ops.retention import checkpoints_prune


# The name it had when the job lived in the coach app: beat schedules and queued runs keep it.
@shared_task(name="coach.prune_checkpoints", acks_late=True, soft_time_limit=1500, time_limit=1800)
def prune_checkpoints() -> int:
    """Beat job (hourly): old checkpoints go, except what a thread needs and what staff review.

    Each thread is pruned in its own transaction, so a run cut short by the time limit keeps
    what it finished and the next run continues; the limit stays under the hourly schedule so
    two runs do not overlap.
    """
    return checkpoints_prune().total_rows_removed
