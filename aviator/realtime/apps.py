from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "aviator.realtime"
    label = "realtime"
    verbose_name = "Realtime relay (embedded default)"
