"""/api/users, /api/keys and /api/audit: the team's accounts, their API keys and the log of every
change, for admins; /api/me/notices: how one's own notices reach one, for anyone."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import NO_NUL, Page, UtcInstant, bounded
from advocacy.people import audit
from advocacy.people.models import AuditEntry, NotifyBy, Role, Scope, User, Via
from advocacy.people.services import (
    ApiKeyInfo,
    Change,
    invite_user,
    issue_api_key,
    list_api_keys,
    reset_password,
    revoke_api_key,
    set_notify_by,
    unlock_user,
    update_user,
    users,
)

router = ScopedRouter(tags=["users and audit"])

# Path parameters: PostgreSQL refuses NUL in text, so they are refused at the door.
Username = Annotated[str, Path(max_length=150, pattern=NO_NUL)]
KeyPrefix = Annotated[str, Path(max_length=50, pattern=NO_NUL)]


class UserOut(Schema):
    username: str
    email: str
    role: Role
    is_active: bool
    notify_by: NotifyBy = Field(
        description="Where notices addressed to the user go besides their work queue."
    )
    last_login: datetime | None
    date_joined: datetime


class InviteIn(Schema):
    username: Annotated[str, bounded(150, min_length=1)]
    role: Role
    email: Annotated[str, bounded(254)] = ""


class InvitedOut(Schema):
    user: UserOut
    link: str = Field(description="The path of a one-time link that sets the user's password.")


class UserChangeIn(Schema):
    role: Role | None = None
    email: Annotated[str, bounded(254)] | None = None
    is_active: bool | None = None
    notify_by: NotifyBy | None = None


class LinkOut(Schema):
    link: str


class AuditOut(Schema):
    at: datetime
    actor: str = Field(alias="actor_name")
    via: Via
    ip: str | None
    key_prefix: str
    action: str
    target: str
    summary: str
    detail: dict[str, Any]


class AuditFilters(Schema):
    actor: Annotated[str, bounded(150)] = Field("", description="A username.")
    action: Annotated[str, bounded(100)] = Field(
        "", description="An action, or its area: `content.move`, `users`."
    )
    via: Via | None = None
    since: UtcInstant | None = None
    until: UtcInstant | None = None


def _change(request: HttpRequest) -> Change:
    return Change(
        actor=principal_of(request).user,
        via=Via.API,
        now=timezone.now(),
        ip=request.META.get("REMOTE_ADDR") or None,
    )


def _out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        email=user.email,
        role=Role.ADMIN if user.is_superuser else Role(user.role),
        is_active=user.is_active,
        notify_by=NotifyBy(user.notify_by),
        last_login=user.last_login,
        date_joined=user.date_joined,
    )


@router.get("/users", response=list[UserOut], operation_id="list_users")
def list_users(request: HttpRequest) -> list[UserOut]:
    """Everyone, active first."""
    return [_out(user) for user in users()]


@router.get("/users/{username}", response=UserOut, operation_id="get_user")
def get_user(request: HttpRequest, username: Username) -> UserOut:
    return _out(get_object_or_404(User, username=username))


@router.post("/users", response={201: InvitedOut}, operation_id="create_user")
def create_user(request: HttpRequest, payload: InviteIn) -> Status[InvitedOut]:
    """Invite someone: the user is created without a password, with a one-time link to set it."""
    user, link = invite_user(
        payload.username, role=payload.role, email=payload.email, change=_change(request)
    )
    return Status(201, InvitedOut(user=_out(user), link=link or ""))


@router.patch("/users/{username}", response=UserOut, operation_id="update_user")
def patch_user(request: HttpRequest, username: Username, payload: UserChangeIn) -> UserOut:
    """Change a role, an email or how notices reach the user (`notify_by`), or deactivate
    (`is_active: false`): audited with before/after."""
    user = update_user(
        username,
        change=_change(request),
        role=payload.role,
        email=payload.email,
        is_active=payload.is_active,
        notify_by=payload.notify_by,
    )
    return _out(user)


class MyNoticesOut(Schema):
    username: str
    notify_by: NotifyBy = Field(
        description="Where the notices addressed to you go besides your work queue."
    )


class MyNoticesIn(Schema):
    notify_by: NotifyBy


def _my_notices(user: User) -> MyNoticesOut:
    return MyNoticesOut(username=user.username, notify_by=NotifyBy(user.notify_by))


@router.get("/me/notices", response=MyNoticesOut, operation_id="get_my_notices")
def get_my_notices(request: HttpRequest) -> MyNoticesOut:
    """How the notices addressed to you (the key's user, or the signed-in user) reach you."""
    return _my_notices(principal_of(request).user)


@router.put("/me/notices", response=MyNoticesOut, operation_id="set_my_notices")
def put_my_notices(request: HttpRequest, payload: MyNoticesIn) -> MyNoticesOut:
    """Choose how your own notices reach you (`email`, `slack`, `both` or `queue`: the work
    queue only), audited with the before and after."""
    user = principal_of(request).user
    return _my_notices(set_notify_by(user, payload.notify_by.value, change=_change(request)))


@router.post(
    "/users/{username}/password-reset", response=LinkOut, operation_id="reset_user_password"
)
def password_reset(request: HttpRequest, username: Username) -> LinkOut:
    """The user's password stops working; the answer is the one-time link to set a new one."""
    return LinkOut(link=reset_password(username, change=_change(request)))


class UnlockedOut(Schema):
    username: str
    was_locked_until: datetime | None
    cleared: int


@router.post("/users/{username}/unlock", response=UnlockedOut, operation_id="unlock_user")
def unlock(request: HttpRequest, username: Username) -> UnlockedOut:
    """End a login lockout now; `was_locked_until` is null when there was none."""
    done = unlock_user(username, change=_change(request))
    return UnlockedOut(
        username=done.username, was_locked_until=done.was_locked_until, cleared=done.cleared
    )


class KeyOut(Schema):
    prefix: str
    name: str
    user: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyIn(Schema):
    user: Annotated[str, bounded(150, min_length=1)] = Field(
        description="The username the key acts as."
    )
    name: Annotated[str, bounded(100, min_length=1)] = Field(
        description="What uses it: 'crm sync'."
    )
    scopes: list[Scope] = Field(min_length=1)


class IssuedKeyOut(Schema):
    key: KeyOut
    secret: str = Field(description="The key itself: shown this once, never again.")


class KeyFilters(Schema):
    active: bool = Field(False, description="Only keys not revoked.")


class RevokedOut(Schema):
    prefix: str
    revoked: bool = Field(description="False when the key was already revoked.")


def _key_out(key: ApiKeyInfo) -> KeyOut:
    return KeyOut(
        prefix=key.prefix,
        name=key.name,
        user=key.username,
        scopes=[Scope(s) for s in key.scopes],
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("/keys", response=list[KeyOut], operation_id="list_api_keys")
def list_keys(request: HttpRequest, filters: Query[KeyFilters]) -> list[KeyOut]:
    """Every API key, newest first, never its secret."""
    return [_key_out(key) for key in list_api_keys(include_revoked=not filters.active)]


@router.post("/keys", response={201: IssuedKeyOut}, operation_id="create_api_key")
def create_key(request: HttpRequest, payload: KeyIn) -> Status[IssuedKeyOut]:
    """Issue a key for a user; it never grants more than the user's role allows."""
    change = _change(request)
    key, secret = issue_api_key(
        payload.user,
        name=payload.name,
        scopes=[str(scope) for scope in payload.scopes],
        actor=change.actor,
        now=change.now,
        via=Via.API,
        ip=change.ip,
    )
    info = ApiKeyInfo(
        prefix=key.prefix,
        name=key.name,
        username=payload.user,
        scopes=tuple(key.scopes),
        created_at=key.created_at,
        last_used_at=None,
        revoked_at=None,
    )
    return Status(201, IssuedKeyOut(key=_key_out(info), secret=secret))


@router.post("/keys/{prefix}/revoke", response=RevokedOut, operation_id="revoke_api_key")
def revoke_key(request: HttpRequest, prefix: KeyPrefix) -> RevokedOut:
    """Revoke a key now: it opens nothing from its next request on. Revoking twice is harmless."""
    change = _change(request)
    revoked = revoke_api_key(prefix, actor=change.actor, now=change.now, via=Via.API, ip=change.ip)
    return RevokedOut(prefix=prefix, revoked=revoked)


@router.get("/audit", response=list[AuditOut], operation_id="list_audit_entries")
@paginate(Page)
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> QuerySet[AuditEntry]:
    """Every change, newest first: who, when, what and from where."""
    return audit.entries(
        actor=filters.actor,
        action=filters.action,
        via=filters.via or "",
        since=filters.since,
        until=filters.until,
    )
