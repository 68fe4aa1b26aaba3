"""The facts the lower layers tell, as events: registered on their hooks in AppConfig.ready(),
each run in the transaction of its cause (advocacy.pipeline.hooks, advocacy.content.hooks,
advocacy.references.hooks, advocacy.rewards.hooks).

Each returns at once, without a query, for what it does not act on, and without a second
query when no endpoint subscribes to the type; otherwise one read of the rows it describes and
`emit`'s inserts, for any number of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from advocacy.content.models import Asset, AssetStatus
from advocacy.integrations.webhooks.events import Fact, emit, subscribers
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.references.models import ReferenceCall
from advocacy.rewards.models import Entry


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _person(row: dict[str, Any], prefix: str = "contact__") -> dict[str, Any]:
    name = " ".join(filter(None, (row[f"{prefix}first_name"], row[f"{prefix}last_name"])))
    return {"id": row[f"{prefix[:-2]}_id"], "email": row[f"{prefix}email"], "name": name}


CONTACT = ("contact_id", "contact__email", "contact__first_name", "contact__last_name")
ACCOUNT = ("contact__account_id", "contact__account__name")


def on_asks_entered(ask_ids: Sequence[int], status: str, now: datetime, opened: bool) -> None:
    if opened:
        event_type = "ask.opened"
    elif status == AskStatus.COMPLETED:
        event_type = "ask.completed"
    else:
        return
    if not subscribers(event_type):
        return
    rows = Ask.objects.filter(pk__in=list(ask_ids)).order_by("pk").values(
        "pk", "status", "play", "moment", "channel", "opened_at", "due_at",
        "ask_type__code", "ask_type__name", *CONTACT, *ACCOUNT,
    )  # fmt: skip
    action = event_type.split(".")[1]
    emit(
        event_type,
        [
            Fact(
                f"{event_type}:{r['pk']}",
                {
                    "ask": {
                        "id": r["pk"],
                        "type": r["ask_type__code"],
                        "type_name": r["ask_type__name"],
                        "status": r["status"],
                        "play": r["play"],
                        "moment": r["moment"],
                        "channel": r["channel"],
                        "opened_at": _iso(r["opened_at"]),
                        "due_at": _iso(r["due_at"]),
                        f"{action}_at": _iso(now),
                    },
                    "contact": _person(r),
                    "account": {
                        "id": r["contact__account_id"],
                        "name": r["contact__account__name"],
                    },
                },
            )
            for r in rows
        ],
        now=now,
    )


def on_assets_entered(asset_ids: Sequence[int], status: str, now: datetime) -> None:
    if status != AssetStatus.PUBLISHED or not subscribers("content.published"):
        return
    rows = Asset.objects.filter(pk__in=list(asset_ids)).order_by("pk").values(
        "pk", "kind", "title", "url", "headline", "ask_id", "account_id", "account__name",
        *CONTACT,
    )  # fmt: skip
    emit(
        "content.published",
        [
            Fact(
                f"content.published:{r['pk']}",
                {
                    "content": {
                        "id": r["pk"],
                        "kind": r["kind"],
                        "title": r["title"],
                        "headline": r["headline"],
                        "url": r["url"],
                        "ask_id": r["ask_id"],
                        "published_at": _iso(now),
                    },
                    "contact": _person(r),
                    "account": {"id": r["account_id"], "name": r["account__name"]},
                },
            )
            for r in rows
        ],
        now=now,
    )


def on_call_invited(call: ReferenceCall, now: datetime) -> None:
    """A call's first invite is its requests' filling; a rescheduled one (a higher
    `sequence`) is not a new fact."""
    if call.sequence != 0 or not subscribers("reference.filled"):
        return
    person = ReferenceCall.objects.filter(pk=call.pk).values(*CONTACT, *ACCOUNT).get()
    requests = call.requests.order_by("pk").values(
        "pk", "opportunity", "opportunity_ref", "prospect_company", "industry", "needed_by",
        "format", "requested_by__username",
    )  # fmt: skip
    emit(
        "reference.filled",
        [
            Fact(
                f"reference.filled:{r['pk']}:{call.pk}",
                {
                    "request": {
                        "id": r["pk"],
                        "opportunity": r["opportunity"],
                        "opportunity_ref": r["opportunity_ref"],
                        "prospect_company": r["prospect_company"],
                        "industry": r["industry"],
                        "needed_by": r["needed_by"].isoformat(),
                        "format": r["format"],
                        "requested_by": r["requested_by__username"],
                        "filled_at": _iso(now),
                    },
                    "call": {
                        "id": call.pk,
                        "starts_at": _iso(call.starts_at),
                        "duration_minutes": call.duration_minutes,
                    },
                    "contact": _person(person),
                    "account": {
                        "id": person["contact__account_id"],
                        "name": person["contact__account__name"],
                    },
                },
            )
            for r in requests
        ],
        now=now,
    )


def on_credited(entries: QuerySet[Entry], now: datetime) -> None:
    if not subscribers("reward.credited"):
        return
    rows = entries.filter(amount_cents__gt=0).order_by("pk").values(
        "pk", "amount_cents", "reason", "reward_type", "ask_id", "referral_id", "quarter", "at",
        *CONTACT, *ACCOUNT,
    )  # fmt: skip
    emit(
        "reward.credited",
        [
            Fact(
                f"reward.credited:{r['pk']}",
                {
                    "reward": {
                        "id": r["pk"],
                        "amount_cents": r["amount_cents"],
                        "reason": r["reason"],
                        "reward_type": r["reward_type"],
                        "ask_id": r["ask_id"],
                        "referral_id": r["referral_id"],
                        "quarter": r["quarter"],
                        "credited_at": _iso(r["at"]),
                    },
                    "contact": _person(r),
                    "account": {
                        "id": r["contact__account_id"],
                        "name": r["contact__account__name"],
                    },
                },
            )
            for r in rows
        ],
        now=now,
    )
