from django.contrib import admin

from aviator.admin import ReadOnlyAdmin
from aviator.audit.services import audit_transcript_view
from coach.models import Conversation, DecisionTrace, Message, ProfileFact, Shortlist, ToolCall


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("seq", "role", "text", "asks", "created")
    readonly_fields = fields
    extra = 0
    can_delete = False


class DecisionTraceInline(admin.TabularInline):
    model = DecisionTrace
    fields = ("turn", "step", "node", "decision", "reason", "score", "latency_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "family", "phase", "created", "updated")
    list_filter = ("phase",)
    search_fields = ("id", "family__email")
    readonly_fields = ("id", "family", "phase", "profile", "created", "updated")
    inlines = [MessageInline, DecisionTraceInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conversation = self.get_object(request, object_id)
        if conversation is not None and request.method == "GET":
            audit_transcript_view(viewer=request.user, conversation=conversation, via="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ProfileFact)
class ProfileFactAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "slot", "value", "provenance", "confidence", "turn", "created")
    list_filter = ("provenance", "slot")


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyAdmin):
    list_display = ("key", "tool", "status", "attempts", "queued_at", "finished_at")
    list_filter = ("status", "tool")
    readonly_fields = ("key", "payload", "result", "error")


@admin.register(Shortlist)
class ShortlistAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "turn", "qualifying", "created")
