from django.contrib import admin
from django.urls import include, path

from aviator.api import api, docs_urls
from aviator.ops.health import healthz
from aviator.ops.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("aviator.accounts.urls")),
    path("staff/", include("handoff.urls")),
    path("staff/", include("review.urls")),
    path("api/v1/", include(docs_urls)),
    path("api/v1/", api.urls),
    path("", include("coach.urls")),
]
