"""Strict readers for ADVOCACY_* environment variables.

A setting that is present but malformed stops the process with a message naming the variable,
what was expected and what was found: a typo must never silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

T = TypeVar("T")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class SettingError(ValueError):
    """A setting was given but cannot be understood."""


def _read(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get(name)


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _read(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _read(name, environ)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name}: expected one of true/false/1/0/yes/no/on/off, found {value!r}")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = _read(name, environ)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise SettingError(f"{name}: expected a whole number, found {value!r}") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}: expected at least {minimum}, found {number}")
    if maximum is not None and number > maximum:
        raise SettingError(f"{name}: expected at most {maximum}, found {number}")
    return number


def env_date(
    name: str,
    default: date,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: date | None = None,
    maximum: date | None = None,
) -> date:
    value = _read(name, environ)
    if value is None:
        return default
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise SettingError(f"{name}: expected a date like 2000-01-01, found {value!r}") from None
    if minimum is not None and day < minimum:
        raise SettingError(f"{name}: expected {minimum.isoformat()} or later, found {value!r}")
    if maximum is not None and day > maximum:
        raise SettingError(f"{name}: expected {maximum.isoformat()} or earlier, found {value!r}")
    return day


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _read(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: list[str], environ: Mapping[str, str] | None = None
) -> str:
    value = _read(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise SettingError(f"{name}: expected one of {', '.join(choices)}, found {value!r}")
    return value


def env_parsed(
    name: str, default: T, parse: Callable[[str], T], environ: Mapping[str, str] | None = None
) -> T:
    value = _read(name, environ)
    if value is None:
        return default
    try:
        return parse(value)
    except ValueError as exc:
        raise SettingError(f"{name}: {exc}, found {value!r}") from None
