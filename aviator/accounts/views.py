from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from aviator.accounts.forms import FamilySignupForm
from aviator.accounts.services import SESSION_BACKEND, user_create
from aviator.ratelimit import ip_throttled
from aviator.roles import Role

login_throttled = ip_throttled(
    "login", limit=lambda: settings.LOGIN_ATTEMPTS_PER_MINUTE, window_seconds=60
)


@ip_throttled("signup", limit=lambda: settings.SIGNUPS_PER_HOUR, window_seconds=3600)
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("coach:conversation-list")
    form = FamilySignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            role=Role.FAMILY,
        )
        login(request, user, backend=SESSION_BACKEND)
        return redirect("coach:conversation-list")
    return render(request, "accounts/signup.html", {"form": form})
