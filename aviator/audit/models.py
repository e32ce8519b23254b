"""The audit log: an append-only record of every durable write and every staff view of a
transcript (DESIGN.md §6). Rows are never changed or removed — by the ORM here, and on PostgreSQL
by a trigger as well, so not even a raw UPDATE can rewrite history."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ActorRole(models.TextChoices):
    FAMILY = "family"
    COACH = "coach"
    COUNSELOR = "counselor"
    ADMIN = "admin"
    SYSTEM = "system"


class AppendOnlyError(Exception):
    """Audit entries are written once and never changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # Who acted: a person (kept by e-mail too, so the entry outlives the account) or the coach.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # No constraint: removing an account must not rewrite (or block on) its history.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=16, choices=ActorRole.choices, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return (
            f"{self.created:%Y-%m-%d %H:%M:%S} {self.actor_role} {self.action} {self.object_type}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")
