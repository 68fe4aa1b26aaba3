"""Create staff users and manage their API keys.

The CLI and the web UI call these; they never touch the models directly. Every refusal raises
PeopleError with a message that says what was wrong and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from advocacy.core import lockout
from advocacy.core.lockout import Unlocked
from advocacy.people import audit
from advocacy.people.models import ApiKey, NotifyBy, Role, Scope, User, Via


class PeopleError(ValueError):
    """A user or key request that cannot be honoured (unknown user, bad role, weak password…)."""


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown about a key after its creation: never its secret."""

    prefix: str
    name: str
    username: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def create_user(
    username: str,
    *,
    role: str,
    email: str = "",
    password: str | None,
    actor: User | None,
    now: datetime,
) -> User:
    """Create a staff user with a role; a password is checked by Django's validators.

    A user without a password (None) cannot log in to the web UI but can hold API keys.
    """
    username = username.strip()
    if not username:
        raise PeopleError("username is empty")
    if role not in Role.values:
        raise PeopleError(f"unknown role {role!r}: expected one of {', '.join(Role.values)}")
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise PeopleError(f"invalid email {email!r}") from exc
    user = User(username=username, email=email, role=role, is_staff=role == Role.ADMIN)
    user.date_joined = now
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise PeopleError("password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise PeopleError(f"a user named {username!r} already exists") from exc
    return user


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise PeopleError(f"no user named {username!r}") from exc


def issue_api_key(
    username: str,
    *,
    name: str,
    scopes: Sequence[str],
    actor: User | None,
    now: datetime,
    via: str = Via.CLI,
    ip: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for a user and return it with its secret, which is shown only this once."""
    user = _user(username)
    if not user.is_active:
        raise PeopleError(f"user {username!r} is inactive")
    name = name.strip()
    if not name:
        raise PeopleError("a key needs a name (what uses it: 'crm sync', 'ci')")
    if not scopes:
        raise PeopleError(f"a key needs at least one scope: {', '.join(Scope.values)}")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise PeopleError(
            f"unknown scope {', '.join(unknown)}: expected some of {', '.join(Scope.values)}"
        )
    with transaction.atomic():
        key, secret = ApiKey.issue(user, name, sorted(set(scopes)))
        audit.record(
            actor=actor, action="keys.issue", via=via, now=now, ip=ip,
            target=f"key {key.prefix}", summary=f"issued {name!r} to {user.username}",
            detail={"user": user.username, "name": name, "scopes": key.scopes},
        )  # fmt: skip
    return key, secret


def list_api_keys(*, include_revoked: bool = True) -> list[ApiKeyInfo]:
    """Every key, newest first, without secrets."""
    keys: Iterable[ApiKey] = ApiKey.objects.select_related("user").order_by("-created_at", "-id")
    if not include_revoked:
        keys = ApiKey.objects.active().select_related("user").order_by("-created_at", "-id")
    return [
        ApiKeyInfo(
            prefix=key.prefix,
            name=key.name,
            username=key.user.username,
            scopes=tuple(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )
        for key in keys
    ]


def revoke_api_key(
    prefix: str, *, actor: User | None, now: datetime, via: str = Via.CLI, ip: str | None = None
) -> bool:
    """Revoke the key with this prefix; False when it was already revoked.

    A conditional UPDATE, so revoking twice (or from two places at once) is harmless.
    """
    prefix = prefix.strip()
    if prefix.startswith("adv_"):
        prefix = prefix[4:].split("_", 1)[0]
    if not ApiKey.objects.filter(prefix=prefix).exists():
        raise PeopleError(f"no API key with prefix {prefix!r} (see `advocacy apikey list`)")
    with transaction.atomic():
        changed = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if changed:
            audit.record(
                actor=actor, action="keys.revoke", via=via, now=now, ip=ip,
                target=f"key {prefix}", summary=f"revoked key {prefix}",
            )  # fmt: skip
    return changed == 1


# Users, as an admin manages them. Each change is written to the audit log with its before
# and after, whichever of the web UI, the CLI or the API made it.


@dataclass(frozen=True)
class Change:
    """Who changed a user, and from where: the delivery layer fills it in."""

    actor: User | None
    via: str
    now: datetime
    ip: str | None = None


def _audit(change: Change, action: str, user: User, summary: str, detail: dict[str, Any]) -> None:
    audit.record(
        actor=change.actor,
        action=action,
        via=change.via,
        now=change.now,
        target=f"user {user.username}",
        summary=summary,
        detail=detail,
        ip=change.ip,
    )


def invite_user(
    username: str, *, role: str, email: str, change: Change, password: str | None = None
) -> tuple[User, str | None]:
    """Create a user; without a password, return the one-time link they set theirs with."""
    with transaction.atomic():
        user = create_user(
            username, role=role, email=email, password=password, actor=change.actor, now=change.now
        )
        _audit(
            change,
            "users.create",
            user,
            f"created {user.username} as {user.get_role_display()}",
            {"role": role, "email": user.email, "with_password": password is not None},
        )
    return user, None if password is not None else password_link(user)


def find_user(username: str) -> User:
    return _user(username)


def update_user(
    username: str,
    *,
    change: Change,
    role: str | None = None,
    is_active: bool | None = None,
    email: str | None = None,
    notify_by: str | None = None,
) -> User:
    """Change a user's role, email, whether they may sign in or how their notices reach them;
    refuses to lock admins out."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise PeopleError(f"no user named {username!r}")
        before = {
            "role": user.role,
            "is_active": user.is_active,
            "email": user.email,
            "notify_by": user.notify_by,
        }
        if role is not None:
            if role not in Role.values:
                raise PeopleError(
                    f"unknown role {role!r}: expected one of {', '.join(Role.values)}"
                )
            user.role = role
            user.is_staff = role == Role.ADMIN
        if is_active is not None:
            user.is_active = is_active
        if email is not None:
            email = email.strip().lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError as exc:
                    raise PeopleError(f"invalid email {email!r}") from exc
            user.email = email
        if notify_by is not None:
            if notify_by not in NotifyBy.values:
                raise PeopleError(
                    f"unknown notify_by {notify_by!r}: expected one of {', '.join(NotifyBy.values)}"
                )
            user.notify_by = notify_by
        after = {
            "role": user.role,
            "is_active": user.is_active,
            "email": user.email,
            "notify_by": user.notify_by,
        }
        if after == before:
            return user
        if (
            change.actor is not None
            and change.actor.pk == user.pk
            and not (user.is_active and (user.role == Role.ADMIN or user.is_superuser))
        ):
            raise PeopleError("you cannot demote or deactivate yourself: ask another admin")
        user.save(update_fields=["role", "is_staff", "is_active", "email", "notify_by"])
        if not _admins_remain():
            raise PeopleError(
                f"{user.username} is the last active admin: make someone else an admin first"
            )
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        words = ", ".join(f"{k} {v[0]!r} → {v[1]!r}" for k, v in changed.items())
        _audit(change, "users.update", user, f"{user.username}: {words}", changed)
    return user


def set_notify_by(user: User, notify_by: str, *, change: Change) -> User:
    """Choose how `user`'s own notices reach them (their page: anyone may, for themselves),
    audited with the before and after."""
    if notify_by not in NotifyBy.values:
        raise PeopleError(
            f"unknown notify_by {notify_by!r}: expected one of {', '.join(NotifyBy.values)}"
        )
    with transaction.atomic():
        before = (
            User.objects.select_for_update().values_list("notify_by", flat=True).get(pk=user.pk)
        )
        if before == notify_by:
            return user
        User.objects.filter(pk=user.pk).update(notify_by=notify_by)
        user.notify_by = notify_by
        _audit(
            change,
            "users.notices",
            user,
            f"{user.username}: notify_by {before!r} → {notify_by!r}",
            {"notify_by": [before, notify_by]},
        )
    return user


def _admins_remain() -> bool:
    active = User.objects.filter(is_active=True)
    return active.filter(role=Role.ADMIN).exists() or active.filter(is_superuser=True).exists()


def password_link(user: User) -> str:
    """The path of a one-time link to set a new password (valid until it is used, or until
    PASSWORD_RESET_TIMEOUT passes)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/password/set/{uid}/{token}/"


def reset_password(username: str, *, change: Change) -> str:
    """Make the user's password unusable and return the one-time link to set a new one."""
    with transaction.atomic():
        user = _user(username)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _audit(change, "users.password", user, f"reset {user.username}'s password", {})
    return password_link(user)


def users() -> list[User]:
    return list(User.objects.order_by("-is_active", "username"))


def unlock_user(username: str, *, change: Change) -> Unlocked:
    """End a login lockout now (advocacy.core.lockout), audited."""
    done = lockout.unlock(username, actor=change.actor, now=change.now)
    user = User.objects.filter(username=username).first()
    if user is not None and done.was_locked_until is not None:
        _audit(change, "users.unlock", user, f"unlocked {username}", {"cleared": done.cleared})
    return done
