"""Django's admin here is for reading. Every change to the coach's data goes through the services,
which enforce the state machines and approvals and write the audit log; an admin form would
bypass all three."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
