from django.contrib.auth import views as auth_views
from django.urls import path

from aviator.accounts import views
from aviator.accounts.views import login_throttled

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        login_throttled(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
