"""URL map: the staff web UI at /, the REST API under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

urlpatterns = [
    path("api/", include("advocacy.api.urls")),
    path("", include("advocacy.web.urls")),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path no route matches (`/api/contacts/abc`, say): JSON under /api/, as every other
    answer of the API, and the web UI's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"no such resource: {request.path}"}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
