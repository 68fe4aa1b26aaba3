"""Create staff users and manage their API keys.

The CLI and the web UI call these; they never touch the models directly. Every refusal raises
PeopleError with a message that says what was wrong and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from advocacy.people.models import ApiKey, Role, Scope, User


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
    username: str, *, name: str, scopes: Sequence[str], actor: User | None, now: datetime
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
    return ApiKey.issue(user, name, sorted(set(scopes)))


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


def revoke_api_key(prefix: str, *, actor: User | None, now: datetime) -> bool:
    """Revoke the key with this prefix; False when it was already revoked.

    A conditional UPDATE, so revoking twice (or from two places at once) is harmless.
    """
    prefix = prefix.strip()
    if prefix.startswith("adv_"):
        prefix = prefix[4:].split("_", 1)[0]
    if not ApiKey.objects.filter(prefix=prefix).exists():
        raise PeopleError(f"no API key with prefix {prefix!r} (see `advocacy apikey list`)")
    changed = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).update(revoked_at=now)
    return changed == 1
