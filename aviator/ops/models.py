from django.db import models


class Heartbeat(models.Model):
    """The last time a Celery worker or beat said it was alive (every HEARTBEAT_SECONDS)."""

    # "beat", or "worker:<hostname>" (one row per worker process group: tools@host, turns1@host).
    name = models.CharField(max_length=200, primary_key=True)
    role = models.CharField(max_length=10)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
