"""A few reference requests for the demo, so a newcomer sees the desk at work."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from advocacy.customers.models import Account, Contact
from advocacy.engine.services import current_policy
from advocacy.references import services as desk
from advocacy.references.models import ReferenceRequest
from advocacy.references.pool import refresh_pool

PROSPECTS = ("Northwind", "Globex", "Initech", "Umbrella", "Hooli")


def seed_reference_desk(*, user: Any, now: datetime) -> dict[str, int]:
    """Refresh the pool, file one request per prospect shaped like the program's largest
    segments, and carry the first to a scheduled call. Requests already filed are kept."""
    policy = current_policy()
    pool = refresh_pool(now=now, policy=policy)
    segments = list(
        Account.objects.exclude(industry="")
        .values("industry", "region", "size_band")
        .annotate(n=Count("pk"))
        .order_by("-n", "industry")[: len(PROSPECTS)]
    )
    filed = []
    for i, (prospect, segment) in enumerate(zip(PROSPECTS, segments, strict=False)):
        ref = f"demo-{i + 1}"
        if ReferenceRequest.objects.filter(opportunity_ref=ref).exists():
            continue
        data = desk.RequestData(
            opportunity=f"{prospect} evaluation",
            opportunity_ref=ref,
            prospect_company=prospect,
            industry=segment["industry"],
            region=segment["region"],
            size_band=segment["size_band"],
            needed_by=(now + timedelta(days=7 + 3 * i)).date(),
        )
        filed.append(desk.file_request(data, actor=user, now=now))
    scheduled = 0
    if filed:
        first = filed[0]
        found = desk.candidates(first, now=now, policy=policy, limit=1)
        if found:
            contact = Contact.objects.get(pk=found[0].contact_id)
            made = desk.offer(first, contact, actor=user, now=now, policy=policy)
            desk.respond(made, True, actor=user, now=now, policy=policy)
            desk.schedule_call(made, starts_at=now + timedelta(days=3), actor=user, now=now)
            scheduled = 1
    return {"pool": pool, "requests": len(filed), "scheduled": scheduled}
