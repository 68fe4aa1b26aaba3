"""Who is calling, and may they do this: API keys (Bearer) or the web UI's session.

Every operation names the one action of the permission table it needs (advocacy/api/access.py);
`needs(action)` builds its auth list. A key may do an action if it carries the action's scope
and its user's role allows the action; a logged-in session, if the user's role allows it, and
it must send a CSRF token on writes, as any Django form does.
The principal is resolved once per request and kept on it, so the idempotency layer (which
runs before ninja's auth) and the auth callbacks agree on who the caller is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from advocacy.people.models import ApiKey, User
from advocacy.people.permissions import TABLE, Action, allowed, refusal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_CREDENTIALS = (
    "authentication required: send 'Authorization: Bearer <API key>' "
    "(create one with `advocacy apikey create`) or log in to the web UI"
)
BAD_KEY = "invalid or revoked API key"
_CACHE_ATTR = "_advocacy_key_principal"


@dataclass(frozen=True)
class Principal:
    """The caller: a user and the key used, if any (a session has none)."""

    user: User
    key: ApiKey | None = None

    def require(self, action: Action) -> Principal:
        """Refuse (403) unless the key carries the action's scope and the role allows it."""
        scope = TABLE[action].scope.value
        if self.key is not None and not self.key.allows(scope):
            raise AuthorizationError(
                403,
                f"missing scope '{scope}': this API key has "
                f"{', '.join(sorted(self.key.scopes)) or 'no scopes'}",
            )
        if not allowed(self.user, action):
            raise AuthorizationError(403, refusal(self.user, action))
        return self


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None when there is none."""
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def key_principal(request: HttpRequest, token: str) -> Principal | None:
    """Resolve a bearer token to its principal, once per request."""
    cached: tuple[str, Principal | None] | None = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == token:
        return cached[1]
    key = ApiKey.authenticate(token)
    principal = None if key is None else Principal(key.user, key)
    setattr(request, _CACHE_ATTR, (token, principal))
    return principal


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer adv_...`: a key created with `advocacy apikey create`."""

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        principal = key_principal(request, token)
        if principal is None:
            raise AuthenticationError(401, BAD_KEY)
        return principal.require(self.action)


class SessionAuth(APIKeyCookie):
    """The web UI's login session; writes need Django's CSRF token (X-CSRFToken header)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Principal | None:
        if bearer_token(request) is not None:
            return None  # a key was sent and refused: never fall back to the session
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if request.method not in SAFE_METHODS and not exempt and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the csrftoken as X-CSRFToken")
        return Principal(user).require(self.action)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        raise NotImplementedError  # __call__ does the work


def needs(action: Action) -> list[ApiKeyAuth | SessionAuth]:
    """The auth list of an operation that needs `action`."""
    return [ApiKeyAuth(action), SessionAuth(action)]


def principal_of(request: HttpRequest) -> Principal:
    """The principal ninja's auth attached to this request."""
    auth: Any = getattr(request, "auth", None)
    if not isinstance(auth, Principal):
        raise AuthenticationError(401, NO_CREDENTIALS)
    return auth
