from django.contrib import admin

from coach.catalog.models import College


@admin.register(College)
class CollegeAdmin(admin.ModelAdmin):
    list_display = ("unitid", "name", "city", "state", "control", "admission_rate", "net_price")
    list_filter = ("control", "state")
    search_fields = ("name", "city", "unitid")
