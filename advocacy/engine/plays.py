"""Plays as code: YAML files in a playbook folder, validated on load, stored as Play rows.

Every error names the file, the line and the field (`nps-review.yaml:7: trigger.value.gte:
expected a number`), because a playbook is edited by people in a text editor and reviewed in git.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from jsonschema import Draft202012Validator

from advocacy.engine.conditions import ConditionError, validate
from advocacy.engine.models import Play
from advocacy.engine.policy import PolicyFileError, read_policy
from advocacy.engine.solicitation import solicitation_warning
from advocacy.engine.yamlpaths import dotted, line_of, split_path
from advocacy.pipeline.models import AskType

DEFAULT_PLAYBOOK = Path(__file__).with_name("playbook")
SCHEMA_PATH = Path(__file__).with_name("playbook.schema.json")
SCHEMA = json.loads(SCHEMA_PATH.read_text())
_VALIDATOR = Draft202012Validator(SCHEMA)


# An incentive for a review may reward writing one, never what it says: review sites and the
# FTC's endorsement guides forbid a reward that depends on the rating or on a positive review.
RATING_CONDITION = re.compile(
    r"\b(?:[1-5]|one|two|three|four|five)[- ]stars?\b|\bstars?\b|\brat(?:e|es|ing|ings)\b"
    r"|\bscores?\b|\b(?:positive|good|great|favou?rable|glowing)\s+reviews?\b",
    re.IGNORECASE,
)


def rating_condition(incentive: str) -> str | None:
    """The words by which a review's incentive depends on the rating, if any."""
    found = RATING_CONDITION.search(incentive)
    return found.group(0) if found else None


@dataclass(frozen=True)
class PlayError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class PlaybookError(Exception):
    def __init__(self, errors: list[PlayError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass
class LoadedPlay:
    name: str
    file: str
    definition: dict[str, Any]
    digest: str


@dataclass
class LoadResult:
    plays: list[LoadedPlay] = field(default_factory=list)
    errors: list[PlayError] = field(default_factory=list)
    # What a play may do but should not (it loads all the same): a review play inviting only
    # promoters to a site whose guidelines forbid it (advocacy.engine.solicitation).
    warnings: list[PlayError] = field(default_factory=list)


def parse_play(
    text: str, filename: str, ask_codes: set[str]
) -> tuple[dict[str, Any] | None, list[PlayError]]:
    """Parse one play file and check it completely; returns the definition or the errors."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [
            PlayError(filename, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}")
        ]
    if not isinstance(data, dict):
        return None, [
            PlayError(filename, 1, "", "expected a mapping with name, title, trigger, ask")
        ]
    errors = [
        PlayError(filename, line_of(node, e.absolute_path), dotted(e.absolute_path), e.message)
        for e in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if errors:
        return None, errors
    for key in ("audience",):
        if key in data:
            try:
                validate(data[key])
            except ConditionError as exc:
                parts: list[Any] = [key, *split_path(exc.path)]
                errors.append(PlayError(filename, line_of(node, parts), dotted(parts), exc.message))
    named: list[tuple[list[Any], Any]] = [
        ([key], data[key]) for key in ("ask", "fallback") if key in data
    ]
    named += [(["alternatives", i], code) for i, code in enumerate(data.get("alternatives", []))]
    for path, code in named:
        if code not in ask_codes:
            errors.append(
                PlayError(
                    filename,
                    line_of(node, path),
                    dotted(path),
                    f"unknown ask type {code!r}; known: {', '.join(sorted(ask_codes))}",
                )
            )
        elif path[0] == "alternatives" and code == data.get("ask"):
            errors.append(
                PlayError(filename, line_of(node, path), dotted(path), "repeats the play's own ask")
            )
    words = (
        rating_condition(str(data.get("incentive", ""))) if data.get("ask") == "review" else None
    )
    if words is not None:
        errors.append(
            PlayError(
                filename,
                line_of(node, ["incentive"]),
                "incentive",
                f"a review's incentive must not depend on the rating ({words!r}): offer it"
                " for an honest review, whatever the rating",
            )
        )
    errors.extend(_site_errors(data, filename, node))
    return (None if errors else data), errors


def _site_errors(data: dict[str, Any], filename: str, node: yaml.Node | None) -> list[PlayError]:
    """A review site named by a play that asks for no review, or one the settings do not know."""
    site = data.get("site")
    if site is None:
        return []
    line = line_of(node, ["site"])
    if data.get("ask") != "review":
        return [PlayError(filename, line, "site", "only a play whose ask is review names a site")]
    known = settings.REVIEW_SITES
    if site not in known:
        message = f"unknown review site {site!r}; known: {', '.join(sorted(known))}"
        return [PlayError(filename, line, "site", f"{message} (ADVOCACY_REVIEW_SITES)")]
    return []


def play_warnings(data: dict[str, Any], filename: str, text: str) -> list[PlayError]:
    """The warnings of one valid play, at their file, line and field."""
    warning = solicitation_warning(data)
    if warning is None:
        return []
    line = line_of(yaml.compose(text), split_path(warning.field))
    return [PlayError(filename, line, warning.field, warning.message)]


def policy_errors(folder: Path, ask_types: dict[str, AskType]) -> list[PlayError]:
    """Check the folder's policy.yaml: what it cannot read, and every key that would drive
    nothing (an unknown ask type, an anonymous variant that names the customer or stands for
    an ask that does not, an ask type fitted to two stages), each at its file, line and key."""
    path = folder / "policy.yaml"
    try:
        policy = read_policy(folder)
    except PolicyFileError as exc:
        return [PlayError(exc.file, exc.line, exc.field, exc.message)]
    if not path.exists():
        return []
    node = yaml.compose(path.read_text(encoding="utf-8"))
    errors: list[PlayError] = []

    def error(field: str, message: str) -> None:
        errors.append(PlayError(path.name, line_of(node, split_path(field)), field, message))

    known = ", ".join(sorted(ask_types))
    for where, code in policy.codes_named():
        if code not in ask_types:
            error(where, f"unknown ask type {code!r}; known: {known}")
    fitted: dict[str, str] = {}
    for stage, codes in policy.stages.items():
        for i, code in enumerate(codes):
            if code in fitted:
                error(f"stages.{stage}[{i}]", f"{code!r} is already fitted to {fitted[code]}")
            fitted.setdefault(code, stage)
    for code, rules in policy.ask_types.items():
        variant = ask_types.get(rules.anonymous_variant)
        named = ask_types.get(code)
        if variant is None or named is None:
            continue
        where = f"ask_types.{code}.anonymous_variant"
        if not named.public:
            error(where, f"{code!r} does not name the customer: an NDA never excludes it")
        elif variant.public:
            error(where, f"{variant.code!r} names the customer: it is not anonymous")
    return errors


def read_playbook(folder: Path = DEFAULT_PLAYBOOK) -> LoadResult:
    """Read and check every *.yaml play in `folder`, and its policy.yaml."""
    result = LoadResult()
    types = {t.code: t for t in AskType.objects.filter(active=True)}
    ask_codes = set(types)
    result.errors.extend(policy_errors(folder, types))
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.y*ml")):
        if path.stem == "policy":
            continue
        text = path.read_text(encoding="utf-8")
        data, errors = parse_play(text, path.name, ask_codes)
        result.errors.extend(errors)
        if data is None:
            continue
        if data["name"] in names:
            result.errors.append(
                PlayError(
                    path.name, 1, "name", f"{data['name']!r} is also used by {names[data['name']]}"
                )
            )
            continue
        names[data["name"]] = path.name
        result.warnings.extend(play_warnings(data, path.name, text))
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        result.plays.append(LoadedPlay(data["name"], path.name, data, digest))
    return result


@transaction.atomic
def load_playbook(
    folder: Path = DEFAULT_PLAYBOOK, *, now: datetime, learn: bool = True
) -> LoadResult:
    """Load a playbook into the database: all plays or, on any error, none of them.

    Plays missing from the folder are disabled, not deleted, so their decisions stay readable.
    With `learn`, the plays' SQL is learnt now (else by their first runs).
    """
    result = read_playbook(folder)
    if result.errors:
        raise PlaybookError(result.errors)
    Play.objects.bulk_create(
        [
            Play(
                name=p.name,
                title=p.definition["title"],
                source_file=p.file,
                definition=p.definition,
                digest=p.digest,
                enabled=p.definition.get("enabled", True),
                loaded_at=now,
            )
            for p in result.plays
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["title", "source_file", "definition", "digest", "enabled", "loaded_at"],
    )
    Play.objects.exclude(name__in=[p.name for p in result.plays]).update(enabled=False)
    if learn:
        _learn_templates(folder, result, now)
    else:
        Play.objects.filter(name__in=[p.name for p in result.plays]).update(templates={})
    return result


def _learn_templates(folder: Path, result: LoadResult, now: datetime) -> None:
    """Learn the plays' SQL now, so their runs (even the first) build none. A policy file that
    does not read is reported where the policy is loaded, not here: templates then wait for
    the plays' runs."""
    from advocacy.engine.evaluation import learn_templates

    try:
        policy = read_policy(folder)
    except (ValueError, yaml.YAMLError):
        return
    plays = Play.objects.filter(name__in=[p.name for p in result.plays], enabled=True)
    Play.objects.filter(pk__in=plays.values("pk")).update(templates={})
    learn_templates(plays, policy, now)
