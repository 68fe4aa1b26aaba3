"""Sessions: the idle timeout, the login page for an htmx request whose session has ended, and
the refusal of NUL characters in what a form or a link sends.

A request from htmx whose session has ended goes to the login page as a whole page. Such a
request is answered, like any other, by a redirect to the login page; the browser's fetch would
follow it and htmx would swap the login page into the part of the page that asked. The answer
becomes `HX-Redirect`, which makes htmx load the login page in place of the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import BadRequest
from django.dispatch import receiver
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response


TOUCHED = "_touched"


def refresh_interval() -> int:
    """Seconds between two saves of a session in use: a minute, or a tenth of a short limit."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 10))


def touch(session: SessionBase, now: float | None = None) -> None:
    """Mark the session used now: Django saves it and moves its expiry on, in the row and cookie."""
    session[TOUCHED] = int(time.time() if now is None else now)


class SessionIdleMiddleware:
    """The idle timeout: a session expires `SESSION_COOKIE_AGE` after it was last used.

    Saving the session on every request would do that too, at the price of a write per request
    (three statements, within a savepoint). This saves it with the first request of each
    interval (`refresh_interval`), so a session ends between one interval short of the limit and
    the limit after its last request. Placed after SessionMiddleware, so that middleware's
    response handling sees the change and saves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = request.session
        if session.session_key is not None and not session.is_empty() and not session.modified:
            now = time.time()
            touched = session.get(TOUCHED)
            if not isinstance(touched, int) or now - touched >= refresh_interval():
                touch(session, now)
        return response


@receiver(user_logged_in)
def touch_on_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        touch(request.session)


class RefuseNulMiddleware:
    """Answer 400 to a page request whose query or form fields hold a NUL character.

    PostgreSQL refuses NUL in text, so such a value would fail deep inside a view as a server
    error. Django's form fields refuse it already; this covers the values views read directly.
    The REST API refuses it in its schemas, with a 422 naming the field, so /api/ is left to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith("/api/"):
            if _holds_nul(request.GET):
                raise BadRequest("a link parameter holds a NUL character")
            if request.method == "POST" and _holds_nul(request.POST):
                raise BadRequest("a form field holds a NUL character")
        return self.get_response(request)


def _holds_nul(fields: QueryDict) -> bool:
    return any(
        "\x00" in name or "\x00" in value for name, values in fields.lists() for value in values
    )
