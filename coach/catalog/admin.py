from django.contrib import admin

from aviator.admin import ReadOnlyAdmin
from coach.catalog.models import College


@admin.register(College)
class CollegeAdmin(ReadOnlyAdmin):
    list_display = ("unitid", "name", "city", "state", "control", "admission_rate", "net_price")
    list_filter = ("control", "state")
    search_fields = ("name", "city", "unitid")
