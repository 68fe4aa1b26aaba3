"""URL map: the staff web UI at /, the REST API under /api/."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("advocacy.api.urls")),
    path("", include("advocacy.web.urls")),
]
