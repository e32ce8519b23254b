from django.urls import path

from coach.consumers import ConversationConsumer
from handoff.consumers import StaffEscalationConsumer

websocket_urlpatterns = [
    path("ws/conversations/<uuid:conversation_id>/", ConversationConsumer.as_asgi()),
    path("ws/staff/escalations/<uuid:escalation_id>/", StaffEscalationConsumer.as_asgi()),
]
