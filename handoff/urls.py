from django.urls import path

from handoff import views

app_name = "handoff"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("escalations/<uuid:escalation_id>/", views.escalation_page, name="escalation"),
    path("escalations/<uuid:escalation_id>/claim/", views.claim, name="claim"),
    path("escalations/<uuid:escalation_id>/reply/", views.reply, name="reply"),
    path("escalations/<uuid:escalation_id>/notes/", views.note, name="note"),
    path("escalations/<uuid:escalation_id>/resolve/", views.resolve, name="resolve"),
]
