from django.urls import path

from coach import views

app_name = "coach"

urlpatterns = [
    path("", views.home, name="home"),
    path("conversations/", views.conversation_list, name="conversation-list"),
    path("conversations/<uuid:conversation_id>/", views.conversation_page, name="conversation"),
]
