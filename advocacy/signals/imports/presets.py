"""Column presets (our own names, HubSpot, Salesforce), mapping files, and the compiled plan.

A preset maps each of our fields to the column names a tool writes; a mapping file does the same
for any other CSV and may set defaults. `plan_import` matches them against a file's header once
and returns a `Plan`: for each of our fields, the column index and its converter. Errors name the
bad key or the missing columns, and list what was found, so the fix is obvious.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import yaml

from advocacy.signals.imports import converters as c
from advocacy.signals.imports.reading import ImportFileError, normalise_header

KINDS = ("accounts", "contacts", "signals")
EXTERNAL = ("external_id", "account_external_id")


def fields_for(kind: str, tz: tzinfo, formats: tuple[str, ...] = ()) -> dict[str, c.Field]:
    """Our fields for one kind of import, with their converters."""
    day = c.date_parser((*formats, *c.US_DATE_FORMATS))
    moment = c.datetime_parser((*formats, *c.US_DATETIME_FORMATS), tz)
    account_ref = {
        "account_domain": c.Field("account_domain", c.domain, "a domain like example.com"),
        "account_name": c.Field("account_name", c.text(255), "a company name"),
        "account_external_id": c.Field("account_external_id", c.text(255), "an id"),
    }
    if kind == "accounts":
        flags = ("nda", "sensitive_industry", "competitor_adjacent", "churn_risk")
        lists = ("products", "use_cases", "competitors_replaced")
        return {
            "name": c.Field("name", c.text(255), "a company name (255 characters at most)"),
            "domain": c.Field("domain", c.domain, "a domain like example.com"),
            "external_id": c.Field("external_id", c.text(255), "an id"),
            "external_source": c.Field("external_source", c.text(50), "a source name"),
            "industry": c.Field("industry", c.industry, "an industry (100 characters at most)"),
            "region": c.Field("region", c.region, "na, latam, emea, apac or a country"),
            "country": c.Field("country", c.country_region, "a country"),
            "size_band": c.Field(
                "size_band",
                c.choice(c._SIZE_BANDS, "size band"),
                "smb, mid_market, enterprise or strategic",
            ),
            "employees": c.Field("employees", c.integer, "a whole number"),
            "arr": c.Field("arr", c.money, "an amount like 120000.00"),
            **{n: c.Field(n, c.items, "items separated by ; or |") for n in lists},
            "customer_since": c.Field("customer_since", day, "a date like 2025-01-31"),
            "renewal_date": c.Field("renewal_date", day, "a date like 2025-01-31"),
            **{n: c.Field(n, c.boolean, "yes or no") for n in flags},
        }
    if kind == "contacts":
        persona_names = "one of " + ", ".join(c.Persona.values) + " (or their labels)"
        return {
            "email": c.Field("email", c.email, "an email address"),
            "first_name": c.Field("first_name", c.text(100), "100 characters at most"),
            "last_name": c.Field("last_name", c.text(100), "100 characters at most"),
            "title": c.Field("title", c.text(200), "200 characters at most"),
            "persona": c.Field("persona", c.choice(c._PERSONAS, "persona"), persona_names),
            "phone": c.Field("phone", c.text(50), "50 characters at most"),
            "timezone": c.Field("timezone", c.time_zone, c.ZONE_EXPECTED),
            "external_id": c.Field("external_id", c.text(255), "an id"),
            "external_source": c.Field("external_source", c.text(50), "a source name"),
            **account_ref,
            "left_company_at": c.Field("left_company_at", moment, "a date and time"),
            "opted_out_at": c.Field("opted_out_at", moment, "a date and time"),
        }
    if kind == "signals":
        return {
            "email": c.Field("email", c.email, "an email address"),
            **account_ref,
            "kind": c.Field("kind", c.signal_kind, "a signal kind like nps"),
            "occurred_at": c.Field("occurred_at", moment, "a date and time like 2025-01-31T09:00Z"),
            "value": c.Field("value", c.number, "a number in digits, like 9 or 8.5"),
            "text": c.Field("text", str, "text"),
            "source": c.Field("source", c.text(50), "a source name (50 characters at most)"),
            "key": c.Field("key", c.text(255), "a key (255 characters at most)"),
            # Which referral a referral_status row updates; kept in the signal's payload.
            "referral_id": c.Field(
                "referral_id", c.text(255), "a referral id (255 characters at most)"
            ),
        }
    raise ImportFileError(f"unknown import kind {kind!r}: expected one of {', '.join(KINDS)}")


# Any of these sets of fields makes a usable file; the message lists the first set.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "accounts": (("name",), ("domain",)),
    "contacts": (("email",),),
    "signals": (
        ("kind", "occurred_at", "email"),
        ("kind", "occurred_at", "account_domain"),
        ("kind", "occurred_at", "account_external_id"),
        ("kind", "occurred_at", "account_name"),
    ),
}


@dataclass(frozen=True)
class Preset:
    """The column names one tool writes, per kind; `source` names its external ids (and the
    signals' source). `defaults` are values every row of a kind takes where it has none (a
    health-score export names no kind in its rows: every row is one)."""

    name: str
    label: str
    source: str
    columns: Mapping[str, Mapping[str, tuple[str, ...]]]
    date_formats: tuple[str, ...] = ()
    defaults: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _own(kind: str) -> dict[str, tuple[str, ...]]:
    names = fields_for(kind, UTC)
    return {n: (n, n.replace("_", " ")) for n in names}


PRESETS: dict[str, Preset] = {
    "advocacy": Preset(
        "advocacy",
        "Our own column names",
        "csv",
        {kind: _own(kind) for kind in KINDS},
    ),
    "hubspot": Preset(
        "hubspot",
        "HubSpot export (contacts or companies)",
        "hubspot",
        {
            "accounts": {
                "external_id": ("Record ID", "Company ID"),
                "name": ("Company name", "Name"),
                "domain": ("Company Domain Name", "Website URL", "Website"),
                "industry": ("Industry",),
                "country": ("Country/Region", "Country"),
                "employees": ("Number of Employees", "Employees"),
                "arr": ("ARR", "Annual Recurring Revenue"),
                "customer_since": ("Became a Customer Date",),
                "renewal_date": ("Renewal Date", "Contract End Date"),
            },
            "contacts": {
                "external_id": ("Record ID", "Contact ID"),
                "email": ("Email", "Email Address"),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "title": ("Job Title",),
                "phone": ("Phone Number", "Mobile Phone Number"),
                "timezone": ("Time Zone",),
                "persona": ("Persona",),
                "account_name": ("Company Name", "Associated Company"),
                "account_external_id": (
                    "Associated Company ID",
                    "Associated Company IDs",
                    "Associated Company IDs (Primary)",
                    "Primary Associated Company ID",
                ),
                "account_domain": ("Company Domain Name",),
            },
            "signals": {},
        },
        c.US_DATETIME_FORMATS,
    ),
    "salesforce": Preset(
        "salesforce",
        "Salesforce report export",
        "salesforce",
        {
            "accounts": {
                "external_id": ("Account ID",),
                "name": ("Account Name",),
                "domain": ("Website",),
                "industry": ("Industry",),
                "country": ("Billing Country", "Shipping Country"),
                "employees": ("Employees",),
                "arr": ("ARR", "Annual Recurring Revenue"),
                "customer_since": ("Customer Since",),
                "renewal_date": ("Renewal Date", "Contract End Date"),
            },
            "contacts": {
                "external_id": ("Contact ID",),
                "email": ("Email",),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "title": ("Title",),
                "phone": ("Phone", "Mobile"),
                "timezone": ("Time Zone",),
                "account_external_id": ("Account ID",),
                "account_name": ("Account Name",),
                "account_domain": ("Website",),
            },
            "signals": {},
        },
        c.US_DATETIME_FORMATS,
    ),
    # Health scores exported from the customer-success platforms: one row per company (or per
    # score change, from a score history report), each a `health_score` signal of its account.
    # Gainsight's GSID names its own record, not ours: the account is matched by its domain
    # (or its name), the GSID kept in the signal's payload with the whole row. ChurnZero's
    # accountExternalId is the CRM's id: read under `churnzero`, or under the CRM's source with
    # a mapping file (`source: salesforce`), docs/csv-import.md.
    "gainsight": Preset(
        "gainsight",
        "Gainsight scorecard export (health scores)",
        "gainsight",
        {
            "accounts": {},
            "contacts": {},
            "signals": {
                "account_name": ("Company Name", "Company"),
                "account_domain": ("Company Domain", "Website"),
                "value": ("Overall Score", "Current Score", "Health Score", "Score"),
                "occurred_at": (
                    "Score Modified Date",
                    "Scorecard Modified Date",
                    "Modified Date",
                    "Last Modified Date",
                    "Snapshot Date",
                ),
                "text": ("Overall Score Label", "Score Label", "Comments"),
            },
        },
        c.US_DATETIME_FORMATS,
        {"signals": {"kind": "health_score"}},
    ),
    "churnzero": Preset(
        "churnzero",
        "ChurnZero account export (ChurnScore)",
        "churnzero",
        {
            "accounts": {},
            "contacts": {},
            "signals": {
                "account_external_id": ("Account External ID", "AccountExternalId"),
                "account_name": ("Account Name", "Name"),
                "value": ("ChurnScore", "Churn Score", "ChurnScore Value"),
                "occurred_at": (
                    "ChurnScore Date",
                    "ChurnScore Last Updated",
                    "ChurnScore Calculated Date",
                    "Last Updated",
                ),
            },
        },
        c.US_DATETIME_FORMATS,
        {"signals": {"kind": "health_score"}},
    ),
}

MAPPING_KEYS = ("kind", "source", "columns", "defaults", "date_format")


def load_mapping_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON mapping file (JSON is YAML); the shape is checked by `plan_import`."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"mapping file {path.name}: cannot read it ({exc})") from exc
    except yaml.YAMLError as exc:
        raise ImportFileError(f"mapping file {path.name}: not valid YAML or JSON ({exc})") from exc
    if not isinstance(loaded, dict):
        raise ImportFileError(
            f"mapping file {path.name}: expected a mapping with keys {', '.join(MAPPING_KEYS)}, "
            f"found {type(loaded).__name__}"
        )
    return loaded


def _check_mapping(kind: str, mapping: Mapping[str, Any], names: Mapping[str, c.Field]) -> None:
    allowed = ", ".join(sorted(names))
    for key in mapping:
        if key not in MAPPING_KEYS:
            raise ImportFileError(
                f"mapping: unknown key {key!r}: expected one of {', '.join(MAPPING_KEYS)}"
            )
    if mapping.get("kind") not in (None, kind):
        raise ImportFileError(f"mapping: kind is {mapping['kind']!r} but this is a {kind} import")
    if not isinstance(mapping.get("source", ""), str):
        raise ImportFileError("mapping: source must be a text like 'pipedrive'")
    formats = mapping.get("date_format", [])
    if not isinstance(formats, str | list) or not all(isinstance(f, str) for f in formats):
        raise ImportFileError("mapping: date_format must be a strptime format like '%d/%m/%Y'")
    for section in ("columns", "defaults"):
        value = mapping.get(section, {})
        if not isinstance(value, dict):
            raise ImportFileError(f"mapping: {section} must map our field names to values")
        for name, given in value.items():
            if name not in names:
                raise ImportFileError(
                    f"mapping: {section}.{name} is not a {kind} field: expected one of {allowed}"
                )
            ok = isinstance(given, str) or (
                section == "columns"
                and isinstance(given, list)
                and all(isinstance(g, str) for g in given)
            )
            if section == "defaults":
                ok = isinstance(given, str | int | float | bool)
            if not ok:
                raise ImportFileError(
                    f"mapping: {section}.{name} must be "
                    + ("a column name" if section == "columns" else "a value")
                    + f", found {given!r}"
                )


@dataclass
class Plan:
    """How each of our fields is read from this file's columns; built once per import."""

    kind: str
    preset: str
    source: str
    header: list[str]
    columns: list[tuple[int, c.Field]]  # (column index, field), in header order
    defaults: dict[str, Any] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.defaults or any(f.name == name for _, f in self.columns)

    def describe(self) -> dict[str, Any]:
        """What the run stores in ImportRun.mapping, for the preview page."""
        return {
            "source": self.source,
            "columns": {f.name: self.header[i] for i, f in self.columns},
            "defaults": {k: str(v) for k, v in self.defaults.items()},
            "ignored": self.ignored,
        }


def plan_import(
    kind: str,
    header: list[str],
    *,
    preset: str | None,
    mapping: Mapping[str, Any] | None,
    tz: tzinfo,
) -> Plan:
    """Match our fields to the header's columns; raise ImportFileError naming what is missing."""
    if kind not in KINDS:
        raise ImportFileError(f"unknown import kind {kind!r}: expected one of {', '.join(KINDS)}")
    chosen = PRESETS.get(preset or "advocacy")
    if chosen is None:
        raise ImportFileError(
            f"unknown preset {preset!r}: expected one of {', '.join(sorted(PRESETS))}"
        )
    mapping = mapping or {}
    formats_given = mapping.get("date_format", [])
    names = fields_for(kind, tz, ())
    _check_mapping(kind, mapping, names)
    formats = (formats_given,) if isinstance(formats_given, str) else tuple(formats_given)
    fields = fields_for(kind, tz, formats + chosen.date_formats)
    if preset and not chosen.columns[kind] and not mapping.get("columns"):
        raise ImportFileError(
            f"preset {preset!r} has no {kind} format: use our own columns or a mapping file"
        )
    aliases: dict[str, tuple[str, ...]] = dict(PRESETS["advocacy"].columns[kind])
    aliases.update(chosen.columns[kind])
    for name, given in mapping.get("columns", {}).items():
        aliases[name] = (given,) if isinstance(given, str) else tuple(given)
    position: dict[str, int] = {}
    for i, column in enumerate(header):
        position.setdefault(normalise_header(column), i)
    columns: list[tuple[int, c.Field]] = []
    for name, candidates in aliases.items():
        index = next(
            (position[n] for n in map(normalise_header, candidates) if n in position), None
        )
        if index is not None:
            columns.append((index, fields[name]))
    if name_missing := [
        given
        for name, given in mapping.get("columns", {}).items()
        if not any(f.name == name for _, f in columns)
    ]:
        raise ImportFileError(
            f"mapping names columns the file does not have: {', '.join(map(str, name_missing))}"
            f"; the file's columns are: {', '.join(header)}"
        )
    columns.sort(key=lambda item: item[0])
    defaults: dict[str, Any] = {}
    given_defaults = {**chosen.defaults.get(kind, {}), **mapping.get("defaults", {})}
    for name, value in given_defaults.items():
        try:
            defaults[name] = fields[name].convert(str(value).strip())
        except ValueError as exc:
            raise ImportFileError(
                f"mapping: defaults.{name} = {value!r} is invalid ({exc}): "
                f"expected {fields[name].expected}"
            ) from exc
    used = {i for i, _ in columns}
    plan = Plan(
        kind=kind,
        preset=chosen.name,
        source=str(mapping.get("source") or chosen.source),
        header=header,
        columns=columns,
        defaults=defaults,
        ignored=[h for i, h in enumerate(header) if i not in used and h],
    )
    if not any(all(plan.has(n) for n in group) for group in REQUIRED[kind]):
        wanted = " or ".join(
            " + ".join(repr(aliases.get(n, (n,))[0]) for n in group) for group in REQUIRED[kind]
        )
        raise ImportFileError(
            f"missing required columns for a {kind} import ({chosen.label}): expected {wanted}; "
            f"found columns: {', '.join(header)}"
        )
    return plan
