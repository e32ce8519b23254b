from django.contrib import admin

from aviator.admin import ReadOnlyAdmin
from aviator.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the log is for reading and filtering, never for editing."""

    list_display = ("created", "actor_role", "actor_email", "action", "object_type", "object_id")
    list_filter = ("actor_role", "action", "object_type", ("created", admin.DateFieldListFilter))
    search_fields = ("actor_email", "object_id", "conversation_id")
    date_hierarchy = "created"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
