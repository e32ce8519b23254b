from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("review/", views.review_list, name="list"),
    path(
        "review/conversations/<uuid:conversation_id>/",
        views.review_conversation,
        name="conversation",
    ),
    path("review/conversations/<uuid:conversation_id>/labels/", views.label_add, name="label-add"),
    path("review/export.json", views.export_json, name="export-json"),
    path("review/export.csv", views.export_csv, name="export-csv"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path(
        "dashboard/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert-acknowledge",
    ),
]
