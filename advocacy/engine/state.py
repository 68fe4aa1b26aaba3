"""Keep the ContactProfile table in step with the signals, set-based.

One INSERT ... SELECT ... ON CONFLICT DO UPDATE per chunk of contacts writes the profile computed
by `advocacy.engine.profile` (the expressions plays are evaluated with), plus `ready`: the ask
types whose prerequisites hold, no exclusion applies and no tap cap is in force, concatenated
in SQL. Works unchanged on SQLite (3.24+) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from advocacy.customers.models import Contact
from advocacy.engine.conditions import compile_condition
from advocacy.engine.models import ContactProfile, TapClaim
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import with_profile
from advocacy.engine.rules import exclusions
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

COLUMNS = (
    "account_id",
    "nps",
    "nps_at",
    "health",
    "open_tickets",
    "last_activity_at",
    "activities_12m",
    "stage",
    "rung",
    "ready",
    "as_of",
)


def _ready_expression(now: datetime, policy: Policy) -> Any:
    """'code,' for each ask type the contact is ready for; the first matching WHEN wins, so an
    exclusion (or a cap) that holds settles it before the prerequisites are looked at."""
    parts: list[Any] = []
    blank = Value("")
    for t in AskType.objects.filter(active=True).order_by("code"):
        capped = Exists(
            TapClaim.objects.filter(
                contact=OuterRef("pk"), effort=t.effort, next_allowed_at__gt=now
            )
        )
        whens = [
            When(compile_condition(cond, now), then=blank) for _, cond in exclusions(policy, t)
        ]
        whens.append(When(Q(capped), then=blank))
        prerequisites = compile_condition(t.prerequisites or {}, now)
        whens.append(When(prerequisites or Q(pk__isnull=False), then=Value(f"{t.code},")))
        parts.append(Case(*whens, default=blank, output_field=CharField()))
    if not parts:
        return Value("", output_field=CharField())
    if len(parts) == 1:
        return parts[0]
    return Concat(*parts, output_field=CharField())


def profile_rows(contacts: QuerySet[Contact], now: datetime, policy: Policy) -> QuerySet[Any]:
    qs = with_profile(contacts, now, policy).annotate(
        ready=_ready_expression(now, policy), as_of=Value(now)
    )
    return qs.values("pk", *COLUMNS)


@transaction.atomic
def refresh_profiles(
    *,
    now: datetime,
    contact_ids: Iterable[int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    chunk: int = 20_000,
) -> int:
    """Rewrite the profiles of the given contacts (all when None); returns how many."""
    table = connection.ops.quote_name(ContactProfile._meta.db_table)
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in ("contact_id", *COLUMNS))
    picked = ", ".join(f"p.{q(c)}" for c in ("pk", *COLUMNS))
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = excluded.{connection.ops.quote_name(c)}" for c in COLUMNS
    )
    ids = None if contact_ids is None else sorted(set(contact_ids))
    total = 0
    bounds: list[tuple[int, int]]
    if ids is None:
        top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        bounds = [(lo, lo + chunk) for lo in range(0, top + 1, chunk)]
    else:
        bounds = []
    batches: list[QuerySet[Contact]] = [
        Contact.objects.filter(pk__gte=lo, pk__lt=hi).order_by() for lo, hi in bounds
    ]
    if ids is not None:
        batches = [
            Contact.objects.filter(pk__in=ids[i : i + chunk]).order_by()
            for i in range(0, len(ids), chunk)
        ]
    with connection.cursor() as cursor:
        for batch in batches:
            sql, params = profile_rows(batch, now, policy).query.sql_with_params()
            # "WHERE true" settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {picked} FROM ({sql}) AS p WHERE true "
                f"ON CONFLICT (contact_id) DO UPDATE SET {updates}",
                params,
            )
            total += cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0
    return total


def contacts_changed_since(signal_id: int) -> QuerySet[Contact]:
    """Contacts touched by signals after `signal_id`: their own or their account's."""
    newer = Signal.objects.filter(id__gt=signal_id)
    return Contact.objects.filter(
        Q(pk__in=newer.filter(contact__isnull=False).values("contact_id"))
        | Q(account_id__in=newer.filter(contact__isnull=True).values("account_id"))
    )
