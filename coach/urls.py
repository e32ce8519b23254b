from django.urls import path

from coach import views

app_name = "coach"

urlpatterns = [
    path("", views.home, name="home"),
    path("conversations/", views.conversation_list, name="conversation-list"),
    path("conversations/<uuid:conversation_id>/", views.conversation_page, name="conversation"),
    path(
        "conversations/<uuid:conversation_id>/saved/", views.college_save_view, name="college-save"
    ),
    path(
        "conversations/<uuid:conversation_id>/handoff/",
        views.handoff_request_view,
        name="handoff-request",
    ),
    path(
        "conversations/<uuid:conversation_id>/approvals/<uuid:approval_id>/",
        views.approval_decide_view,
        name="approval-decide",
    ),
    path("my-list/", views.my_list, name="my-list"),
    path("my-list/compare/", views.my_list_compare, name="my-list-compare"),
    path("my-list/<int:unitid>/remove/", views.college_unsave_view, name="college-unsave"),
]
