"""Turn chunks of CSV rows into records, and records into writes (or, in a preview, counts).

One processor per kind keeps what must survive across chunks: the keys already seen in the file
(so a repeated row is "unchanged" and a conflicting one is reported against its first line).
Every chunk costs a constant number of queries (see the services); the per-row work is only the
precompiled converters. A processor never writes when `write` is False, and its counts are then
the ones a commit would give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from advocacy.customers.models import SizeBand
from advocacy.customers.records import (
    AccountRecord,
    AccountRef,
    ContactRecord,
    RecordError,
    UpsertResult,
)
from advocacy.customers.services import AccountIndex, upsert_accounts, upsert_contacts
from advocacy.customers.suppression import EXPECTED, refusal, suppressed
from advocacy.signals.checks import Problem, earliest, moment_problem, value_problem
from advocacy.signals.imports.presets import Plan
from advocacy.signals.services import (
    SignalRow,
    existing_signal_keys,
    insert_signal_rows,
    payload_json,
    resolve_contacts,
)

Chunk = Sequence[tuple[int, list[str]]]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    expected: str
    found: str
    message: str


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows, not errors: one row may have several
    errors: list[RowError] = field(default_factory=list)


class Processor:
    """Shared row conversion; subclasses turn values into records and write them."""

    def __init__(self, plan: Plan, *, actor: Any, now: datetime, write: bool) -> None:
        self.plan = plan
        self.actor = actor
        self.now = now
        self.write = write
        self.width = len(plan.header)
        self.column_of = {f.name: plan.header[i] for i, f in plan.columns}
        self.index_of = {f.name: i for i, f in plan.columns}
        self.expected_of = {f.name: f.expected for _, f in plan.columns}
        self.seen: dict[int, tuple[int, int]] = {}  # key hash -> (first line, record hash)

    def column(self, name: str) -> str:
        return self.column_of.get(name, name)

    def convert(self, chunk: Chunk, result: ChunkResult) -> list[tuple[int, list[str], dict]]:
        """Convert each row's cells; rows with a bad cell are reported and left out."""
        good = []
        columns = self.plan.columns
        defaults = self.plan.defaults
        header = self.plan.header
        width = self.width
        errors = result.errors
        for line, row in chunk:
            values = dict(defaults)
            bad = False
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                errors.append(
                    RowError(
                        line,
                        "",
                        f"{width} cells, like the header",
                        f"{len(row)} cells",
                        "more cells than header columns (an unquoted delimiter?)",
                    )
                )
                bad = True
            n = len(row)
            for index, spec in columns:
                cell = row[index].strip() if index < n else ""
                if cell:
                    try:
                        values[spec.name] = spec.convert(cell)
                    except ValueError as exc:
                        errors.append(RowError(line, header[index], spec.expected, cell, str(exc)))
                        bad = True
            if bad:
                result.rejected += 1
            else:
                good.append((line, row, values))
        return good

    def row_error(self, line: int, row: list[str], problem: Problem) -> RowError:
        """A problem with a converted value, shown as the row's cell (or the mapping's default)."""
        index = self.index_of.get(problem.field)
        cell = row[index].strip() if index is not None and index < len(row) else ""
        return RowError(
            line,
            self.column(problem.field),
            problem.expected,
            cell or problem.found,
            problem.message,
        )

    def missing(self, line: int, name: str, message: str) -> RowError:
        return RowError(line, self.column(name), self.expected_of.get(name, name), "", message)

    def dedupe(
        self, line: int, keys: list[tuple[str, str]], record: Any, result: ChunkResult
    ) -> bool:
        """Whether the record is new in this file; a repeat is unchanged, a conflict rejected.

        `keys` are the record's identities as (field, value); the file may hold each once,
        unless the rows are identical (a report repeating an account on every contact line).
        """
        record_hash = hash(record)
        for what, value in keys:
            earlier = self.seen.get(hash((what, value)))
            if earlier is None:
                continue
            first, first_hash = earlier
            if first_hash == record_hash:
                result.unchanged += 1
            else:
                label = what.replace("_", " ")
                result.rejected += 1
                result.errors.append(
                    RowError(
                        line,
                        self.column(what),
                        f"one row per {label}",
                        value,
                        f"same {label} as line {first} with different values",
                    )
                )
            return False
        for key in keys:
            self.seen[hash(key)] = (line, record_hash)
        return True

    def rejected(self, lines: list[int], outcome: UpsertResult, result: ChunkResult) -> None:
        for error in outcome.rejected:
            result.errors.append(self.from_record_error(lines[error.index], error))
        result.rejected += len(outcome.rejected)
        result.created += outcome.created
        result.updated += outcome.updated
        result.unchanged += outcome.unchanged

    def from_record_error(self, line: int, error: RecordError) -> RowError:
        column = {
            "account": self.account_column(),
            "external_ids": self.column("external_id"),
        }.get(error.field, self.column(error.field))
        return RowError(line, column, error.expected, error.found, error.message)

    def account_column(self) -> str:
        names = ("account_external_id", "account_domain", "account_name")
        return next((self.column_of[n] for n in names if n in self.column_of), "account")

    def process(self, chunk: Chunk) -> ChunkResult:
        raise NotImplementedError

    def remember(self, chunk: Chunk) -> None:
        """Take in a chunk an earlier pass already did (a resumed run), writing nothing: what
        the processor keeps across chunks must hold those rows too, so the rest of the file
        gets the outcomes one uninterrupted pass would give it. A preview writes nothing
        anyway, so it processes the chunk again and drops the counts."""
        if not self.write:
            self.process(chunk)

    def external(self, values: dict, name: str) -> tuple[str, str] | None:
        given = values.get(name)
        if not given:
            return None
        # HubSpot lists several associated ids separated by ';': the first is the primary.
        return (values.get("external_source") or self.plan.source, given.split(";")[0].strip())


class AccountProcessor(Processor):
    def process(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult()
        records, lines = self.stage(chunk, result)
        if records:
            outcome = upsert_accounts(
                records, actor=self.actor, now=self.now, dry_run=not self.write
            )
            self.rejected(lines, outcome, result)
        return result

    def remember(self, chunk: Chunk) -> None:
        if self.write:
            self.stage(chunk, ChunkResult())
        else:
            super().remember(chunk)

    def stage(self, chunk: Chunk, result: ChunkResult) -> tuple[list[AccountRecord], list[int]]:
        """The chunk's records new in this file, with their lines; the others counted."""
        records: list[AccountRecord] = []
        lines: list[int] = []
        for line, _row, values in self.convert(chunk, result):
            name = values.get("name") or values.get("domain")
            if not name:
                result.rejected += 1
                result.errors.append(self.missing(line, "name", "a name or a domain is required"))
                continue
            external = self.external(values, "external_id")
            employees = values.get("employees")
            size_band = values.get("size_band") or (
                SizeBand.for_employees(employees).value if employees is not None else ""
            )
            record = AccountRecord(
                name=name,
                domain=values.get("domain"),
                external_ids=(external,) if external else (),
                industry=values.get("industry", ""),
                region=values.get("region") or values.get("country", ""),
                size_band=size_band,
                employees=employees,
                arr=values.get("arr"),
                products=values.get("products", ()),
                use_cases=values.get("use_cases", ()),
                competitors_replaced=values.get("competitors_replaced", ()),
                customer_since=values.get("customer_since"),
                renewal_date=values.get("renewal_date"),
                nda=values.get("nda"),
                sensitive_industry=values.get("sensitive_industry"),
                competitor_adjacent=values.get("competitor_adjacent"),
                churn_risk=values.get("churn_risk"),
            )
            keys = [("external_id", f"{external[0]}:{external[1]}")] if external else []
            keys.append(("domain", record.domain) if record.domain else ("name", name.casefold()))
            if self.dedupe(line, keys, record, result):
                records.append(record)
                lines.append(line)
        return records, lines


class ContactProcessor(Processor):
    def process(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult()
        records, lines = self.stage(chunk, result)
        if records:
            outcome = upsert_contacts(
                records,
                actor=self.actor,
                now=self.now,
                dry_run=not self.write,
                create_accounts=True,
            )
            self.rejected(lines, outcome, result)
        return result

    def remember(self, chunk: Chunk) -> None:
        if self.write:
            self.stage(chunk, ChunkResult())
        else:
            super().remember(chunk)

    def stage(self, chunk: Chunk, result: ChunkResult) -> tuple[list[ContactRecord], list[int]]:
        """The chunk's records new in this file, with their lines; the others counted."""
        records: list[ContactRecord] = []
        lines: list[int] = []
        for line, _row, values in self.convert(chunk, result):
            email = values.get("email")
            if not email:
                result.rejected += 1
                result.errors.append(self.missing(line, "email", "email is required"))
                continue
            external = self.external(values, "external_id")
            record = ContactRecord(
                email=email,
                account_ref=AccountRef(
                    domain=values.get("account_domain"),
                    external_id=self.external(values, "account_external_id"),
                    name=values.get("account_name"),
                ),
                external_ids=(external,) if external else (),
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                title=values.get("title", ""),
                persona=values.get("persona", ""),
                phone=values.get("phone", ""),
                timezone=values.get("timezone", ""),
                left_company_at=values.get("left_company_at"),
                opted_out_at=values.get("opted_out_at"),
            )
            keys = [("email", email)]
            if external:
                keys.append(("external_id", f"{external[0]}:{external[1]}"))
            if self.dedupe(line, keys, record, result):
                records.append(record)
                lines.append(line)
        return records, lines


class SignalProcessor(Processor):
    """The hot path: no record objects, one contact lookup and one INSERT per chunk."""

    def __init__(self, plan: Plan, *, actor: Any, now: datetime, write: bool) -> None:
        super().__init__(plan, actor=actor, now=now, write=write)
        self.seen_keys: set[int] = set()  # previews only: a commit lets the database dedupe
        self.payload_columns = list(enumerate(plan.header))

    def remember(self, chunk: Chunk) -> None:
        """A commit keeps nothing across chunks (the database dedupes by (source, key))."""
        if not self.write:
            super().remember(chunk)

    def process(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult()
        converted = self.convert(chunk, result)
        errors = result.errors
        source_default = self.plan.source
        header_items = self.payload_columns
        now, floor = self.now, earliest()
        staged: list[tuple[int, dict, str, str, str]] = []
        for line, row, values in converted:
            kind = values.get("kind")
            occurred_at = values.get("occurred_at")
            email = values.get("email")
            if kind is None or occurred_at is None:
                name = "kind" if kind is None else "occurred_at"
                errors.append(self.missing(line, name, f"{name} is required"))
                result.rejected += 1
                continue
            bad_value = value_problem(kind, values.get("value"))
            bad_moment = moment_problem(occurred_at, now=now, floor=floor)
            if bad_value is not None or bad_moment is not None:
                for problem in (bad_value, bad_moment):
                    if problem is not None:
                        errors.append(self.row_error(line, row, problem))
                result.rejected += 1
                continue
            if email is None and not (
                values.get("account_domain")
                or values.get("account_external_id")
                or values.get("account_name")
            ):
                errors.append(self.missing(line, "email", "an email or an account is required"))
                result.rejected += 1
                continue
            source = values.get("source") or source_default
            key = values.get("key") or self.derive_key(kind, email, values, occurred_at)
            raw = {h: row[i] for i, h in header_items if i < len(row) and row[i]}
            if referral := values.get("referral_id"):
                raw["referral_id"] = referral  # under our name, whatever the column is called
            payload = payload_json(raw)
            staged.append((line, values, source, key, payload))
        contacts = resolve_contacts(v["email"] for _, v, _, _, _ in staged if v.get("email"))
        erased = suppressed(
            v["email"] for _, v, _, _, _ in staged if v.get("email") and v["email"] not in contacts
        )
        accounts = self.account_index(staged)
        rows: list[SignalRow] = []
        for line, values, source, key, payload in staged:
            email = values.get("email")
            contact_id: int | None
            if email is not None:
                found = contacts.get(email)
                if found is None and email in erased:
                    errors.append(
                        RowError(
                            line, self.column("email"), EXPECTED, email, refusal(erased[email])
                        )
                    )
                    result.rejected += 1
                    continue
                if found is None:
                    errors.append(
                        RowError(
                            line,
                            self.column("email"),
                            "the email of an imported contact",
                            email,
                            "no contact with this email; import contacts first",
                        )
                    )
                    result.rejected += 1
                    continue
                contact_id, account_id = found
            else:
                ref = self.account_ref(values)
                account = accounts.find(ref) if accounts else None
                if account is None:
                    errors.append(
                        RowError(
                            line,
                            self.account_column(),
                            "an imported account",
                            ref.describe(),
                            "no account matches this signal; import accounts first",
                        )
                    )
                    result.rejected += 1
                    continue
                contact_id, account_id = None, account.pk
            rows.append(
                (
                    source,
                    key,
                    values["kind"],
                    account_id,
                    contact_id,
                    values["occurred_at"],
                    values.get("value"),
                    values.get("text", ""),
                    payload,
                )
            )
        if self.write:
            created = insert_signal_rows(rows, now=self.now)
            result.created += created
            result.unchanged += len(rows) - created
        else:
            fresh = []
            for signal in rows:
                mark = hash((signal[0], signal[1]))
                if mark in self.seen_keys:
                    result.unchanged += 1
                else:
                    self.seen_keys.add(mark)
                    fresh.append(signal)
            stored = existing_signal_keys((r[0], r[1]) for r in fresh)
            result.created += len(fresh) - len(stored)
            result.unchanged += len(stored)
        return result

    def account_ref(self, values: dict) -> AccountRef:
        return AccountRef(
            domain=values.get("account_domain"),
            external_id=self.external(values, "account_external_id"),
            name=values.get("account_name"),
        )

    def account_index(self, staged: list[tuple[int, dict, str, str, str]]) -> AccountIndex | None:
        refs = [self.account_ref(v) for _, v, _, _, _ in staged if v.get("email") is None]
        return AccountIndex.load(refs) if refs else None

    @staticmethod
    def derive_key(kind: str, email: str | None, values: dict, occurred_at: datetime) -> str:
        """A stable key from the normalised row, so a file without keys re-imports as no-op."""
        who = email or "|".join(
            str(values.get(n) or "")
            for n in ("account_external_id", "account_domain", "account_name")
        )
        value = values.get("value")
        basis = "\x1f".join(
            (
                kind,
                who,
                occurred_at.astimezone(UTC).isoformat(),
                "" if value is None else repr(float(value)),
                values.get("text", ""),
                # Only when given, so the keys of files without the column stay as they were.
                *((values["referral_id"],) if values.get("referral_id") else ()),
            )
        )
        return "h:" + hashlib.blake2b(basis.encode(), digest_size=16).hexdigest()


PROCESSORS: dict[str, type[Processor]] = {
    "accounts": AccountProcessor,
    "contacts": ContactProcessor,
    "signals": SignalProcessor,
}
