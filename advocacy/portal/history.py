"""The advocate's record: the asks put to them and their answers, their content and the
permissions they gave, and what they were given in return. A constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef

from advocacy.content.models import Asset, AssetEvent, AssetStatus, Consent
from advocacy.customers.models import Contact
from advocacy.engine.models import Play
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.references.models import CallOutcome, ReferenceCall

ANSWERS = (AskStatus.ACCEPTED, AskStatus.DECLINED)
DONE = (AskStatus.COMPLETED, AskStatus.PUBLISHED)


@dataclass
class AskLine:
    ask: Ask
    answer: str  # "Accepted" / "Declined" / ""
    answered_at: datetime | None
    given: str  # the play's incentive, once done


def history_of(contact: Contact) -> dict[str, Any]:
    # An ask reached the advocate when it went to sent (opened so, or moved there later).
    sent = AskEvent.objects.filter(ask=OuterRef("pk"), to_status=AskStatus.SENT)
    asks = list(
        Ask.objects.filter(contact=contact)
        .filter(Exists(sent))
        .select_related("ask_type")
        .order_by("-opened_at", "-pk")
    )
    ids = [a.pk for a in asks]
    answered: dict[int, tuple[str, datetime]] = {}
    for ask_id, to_status, at in (
        AskEvent.objects.filter(ask_id__in=ids, to_status__in=ANSWERS)
        .order_by("at", "pk")
        .values_list("ask_id", "to_status", "at")
    ):
        answered.setdefault(ask_id, (AskStatus(to_status).label, at))
    incentives = {
        name: str(d.get("incentive", ""))
        for name, d in Play.objects.filter(name__in={a.play for a in asks if a.play}).values_list(
            "name", "definition"
        )
    }
    lines = [
        AskLine(
            ask=a,
            answer=answered.get(a.pk, ("", None))[0],
            answered_at=answered.get(a.pk, ("", None))[1],
            given=incentives.get(a.play, "") if a.status in DONE else "",
        )
        for a in asks
    ]
    reviewed = AssetEvent.objects.filter(
        asset__contact=contact, to_status=AssetStatus.ADVOCATE_REVIEW
    ).values("asset_id")
    assets = list(Asset.objects.filter(pk__in=reviewed).order_by("-updated_at", "-pk"))
    consents: dict[int, list[Consent]] = defaultdict(list)
    for consent in Consent.objects.filter(asset__in=assets).order_by("-recorded_at", "-pk"):
        consents[consent.asset_id].append(consent)
    calls = list(
        ReferenceCall.objects.filter(contact=contact, outcome=CallOutcome.HELD).order_by(
            "-starts_at"
        )
    )
    return {
        "ask_lines": lines,
        "assets": [(asset, consents.get(asset.pk, [])) for asset in assets],
        "given": [line for line in lines if line.ask.status in DONE],
        "calls_held": calls,
        "agreements": list(Agreement.objects.filter(contact=contact)),
    }
