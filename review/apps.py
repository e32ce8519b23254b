from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    label = "review"
    verbose_name = "Transcript review and drift"
