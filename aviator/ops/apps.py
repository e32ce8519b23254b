from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "aviator.ops"
    label = "ops"
    verbose_name = "Operations"
