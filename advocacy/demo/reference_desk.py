"""A few reference requests for the demo, so a newcomer sees the desk at work."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count

from advocacy.customers.models import Account, Contact
from advocacy.engine.services import current_policy
from advocacy.references import services as desk
from advocacy.references.models import OpportunityResult, ReferenceRequest
from advocacy.references.pool import refresh_pool

PROSPECTS = ("Northwind", "Globex", "Initech", "Umbrella", "Hooli")


def seed_reference_desk(*, user: Any, now: datetime) -> dict[str, int]:
    """Refresh the pool, file one request per prospect shaped like the program's largest
    segments, and carry the first two to a scheduled call, the second's deal won (so the
    dashboard shows influenced pipeline and revenue). Requests already filed are kept."""
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
            amount=Decimal(40_000 + 15_000 * i),
        )
        filed.append(desk.file_request(data, actor=user, now=now))
    scheduled = 0
    for i, request in enumerate(filed[:2]):
        found = desk.candidates(request, now=now, policy=policy, limit=1)
        if not found:
            continue
        contact = Contact.objects.get(pk=found[0].contact_id)
        made = desk.offer(request, contact, actor=user, now=now, policy=policy)
        desk.respond(made, True, actor=user, now=now, policy=policy)
        desk.schedule_call(made, starts_at=now + timedelta(days=3 + i), actor=user, now=now)
        scheduled += 1
        if i == 1:
            desk.record_result(request, OpportunityResult.WON, now=now)
    return {"pool": pool, "requests": len(filed), "scheduled": scheduled}
