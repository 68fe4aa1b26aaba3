"""/hooks/<token>/: the inbound url of a connection (advocacy.integrations.connectors.ingest).

Its own guard, not the staff login: the token in the url, then the vendor's signature where the
vendor signs. No CSRF token: no browser posts here.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from advocacy.integrations.connectors.ingest import receive
from advocacy.integrations.connectors.registry import Received


@csrf_exempt
def receive_view(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    received = Received(
        method=request.method,
        url=settings.SITE_URL + request.get_full_path(),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.body,
    )
    answer = receive(token, received, now=timezone.now())
    return JsonResponse(answer.body, status=answer.status)
