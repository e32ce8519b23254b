from django.db import models


class RelayedEvent(models.Model):
    """A channel-layer group message waiting to be relayed to the web process's consumers.

    Only the embedded default writes these: with no Redis, the database is the one medium that the
    web process, the Celery worker and management commands all share.
    """

    group = models.CharField(max_length=100)
    payload = models.JSONField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"
