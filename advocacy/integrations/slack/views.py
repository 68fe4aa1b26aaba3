"""/slack/actions: Slack's interactivity requests (a button pressed in a message).

Its own guard, not the staff login: Slack's signature over the raw body (advocacy.integrations
.slack.actions.verify), then the role of the staff user with the Slack member's address. A
request that fails the signature gets 401 and changes nothing.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from advocacy.integrations.slack.actions import Refused, press, respond, verify
from advocacy.integrations.slack.delivery import client


@csrf_exempt  # Slack's signature stands in for the CSRF token: no browser posts here
@require_POST
def actions(request: HttpRequest) -> HttpResponse:
    try:
        # Slack posts a form (urlencoded); a multipart body read by a middleware before us has
        # no raw bytes left to check, so it cannot be Slack's.
        verify(request.body, request.headers)
    except RawPostDataException:
        return JsonResponse({"error": "not a request Slack signed"}, status=401)
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=401)
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return JsonResponse({"error": "no interaction payload"}, status=400)
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return JsonResponse({"error": "not a button press"}, status=400)
    said = press(payload, now=timezone.now(), api=client())
    respond(payload, said)  # what the member sees (Slack ignores this answer's body)
    return JsonResponse({"response_type": "ephemeral", "replace_original": False, "text": said})
