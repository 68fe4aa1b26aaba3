"""URL map: the staff web UI at /, the REST API under /api/."""

from django.urls import include, path

urlpatterns = [
    path("", include("advocacy.web.urls")),
]
