from django.contrib import admin

from aviator.accounts.models import ApiToken
from aviator.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "created", "last_used", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__email", "prefix")
    readonly_fields = ("key_hash", "prefix", "created", "last_used")
