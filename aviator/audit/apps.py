from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "aviator.audit"
    label = "audit"
    verbose_name = "Audit log"
