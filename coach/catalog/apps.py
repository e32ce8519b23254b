from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "coach.catalog"
    label = "catalog"
    verbose_name = "College catalog"
