from django.contrib import admin

from aviator.admin import ReadOnlyAdmin
from coach.models import Escalation
from handoff.models import EscalationNote


class EscalationNoteInline(admin.TabularInline):
    model = EscalationNote
    extra = 0


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("id", "reason", "urgent", "state", "assigned_to", "created", "resolved_at")
    list_filter = ("reason", "urgent", "state")
    inlines = [EscalationNoteInline]
