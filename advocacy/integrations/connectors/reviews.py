"""Reviews verified on the review site: each published review closes its advocate's review ask
as verified, and counts once (docs/connectors.md, "G2 reviews").

`record_reviews` takes the reviews read from G2's API shape or a CSV (`vendors/g2.py`):

1. A review is known by (site, its id): one the program has stored (as its own signal, or as
   the verification of an ask) changes nothing, so a replay of a file or a page is 0 new. A
   review not published yet is skipped.
2. Its reviewer is matched to a contact by email, else by the site's person id as a contact
   identity of the site's source (`g2`). A review matched to no contact is reported, not kept.
3. Its ask is the contact's oldest review ask (an ask type whose activity is
   `review_published`) that names this site (its play's `site:`) or none (a manual ask), that
   is not verified yet, and that is sent and not closed, or already published as reported by
   the team:
   - a sent ask is moved on to published (through accepted and completed, the moves and their
     hooks as if the team made them: the completion's reward, its thank-you), each move noted
     "verified on G2: review <id>"; the ask records how (`verified_by`, `verified_ref`,
     `verified_at`);
   - an ask the team had already moved to published is marked verified the same way;
   in both cases the review is counted by the ask's own activity signal (the program's
   `review_published`), which takes the review's rating and ids: one review, one signal.
4. A review with no such ask is counted by a signal of its own (source `g2`, key its id). An
   ask of the contact's for this site not sent yet is cancelled: the review it would ask for
   exists.

All in one transaction, set-based: a few reads for the whole batch, one move per status step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from advocacy.core.review_sites import site_label
from advocacy.customers.models import ContactIdentity
from advocacy.engine.models import Play
from advocacy.integrations.connectors.vendors.g2 import Review
from advocacy.pipeline.activities import SOURCE as PROGRAM
from advocacy.pipeline.activities import activity_key
from advocacy.pipeline.models import UNSENT_STATUSES, Ask, AskEvent, AskStatus
from advocacy.pipeline.services import advance_asks
from advocacy.signals.models import Signal, SignalKind
from advocacy.signals.services import SignalRow, insert_signal_rows, payload_json, resolve_contacts

S = AskStatus
KIND = SignalKind.REVIEW_PUBLISHED
SENT = (S.SENT, S.ACCEPTED, S.SCHEDULED, S.COMPLETED)
# The moves a verified review makes, one status step at a time.
STEPS = (
    (S.ACCEPTED, (S.SENT,)),
    (S.COMPLETED, (S.ACCEPTED, S.SCHEDULED)),
    (S.PUBLISHED, (S.COMPLETED,)),
)


@dataclass
class ReviewOutcome:
    reviews: int = 0
    verified: list[tuple[str, int]] = field(default_factory=list)  # (review id, ask id)
    counted: list[str] = field(default_factory=list)  # reviews counted by their own signal
    unchanged: int = 0
    skipped: int = 0  # not published (yet)
    unmatched: list[str] = field(default_factory=list)  # no contact
    cancelled: list[int] = field(default_factory=list)  # unsent asks made moot

    def as_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "verified": [{"review_id": r, "ask_id": a} for r, a in self.verified],
            "counted": self.counted,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "unmatched": self.unmatched,
            "cancelled": self.cancelled,
        }


def _site_plays(site: str) -> list[str]:
    """The plays whose asks may be answered on `site`: those naming it, or no site ("" is a
    manual ask's play)."""
    names = [""]
    for name, definition in Play.objects.values_list("name", "definition"):
        if (definition or {}).get("site") in (None, site):
            names.append(name)
    return names


def _payload(review: Review, ask_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": review.site,
        "review_id": review.review_id,
        "verified": True,
        "title": review.title,
        "url": review.url,
    }
    if ask_id is not None:
        data |= {"ask_id": ask_id, "ask_type": "review"}
    return data


@transaction.atomic
def record_reviews(reviews: Sequence[Review], *, actor: Any = None, now: datetime) -> ReviewOutcome:
    out = ReviewOutcome(reviews=len(reviews))
    unique: dict[tuple[str, str], Review] = {}
    for r in reviews:
        if not r.published:
            out.skipped += 1
        else:
            unique.setdefault((r.site, r.review_id), r)  # a page read twice: once
    out.unchanged += sum(1 for r in reviews if r.published) - len(unique)
    if not unique:
        return out
    known: set[tuple[str, str]] = set()
    for site in {s for s, _ in unique}:
        ids = [i for s, i in unique if s == site]
        known |= {(site, k) for k in Signal.objects.filter(source=site, key__in=ids)
                  .values_list("key", flat=True)}  # fmt: skip
        known |= {(site, k) for k in Ask.objects.filter(verified_by=site, verified_ref__in=ids)
                  .values_list("verified_ref", flat=True)}  # fmt: skip
    fresh = [r for key, r in unique.items() if key not in known]
    out.unchanged += len(unique) - len(fresh)
    by_email = resolve_contacts(r.email for r in fresh if r.email)
    by_person: dict[tuple[str, str], tuple[int, int]] = {}
    persons = [(r.site, r.person_id) for r in fresh if r.person_id]
    if persons:
        q = Q()
        for site, pid in persons:
            q |= Q(source=site, external_id=pid)
        by_person = {
            (s, e): (c, a)
            for s, e, c, a in ContactIdentity.objects.filter(q).values_list(
                "source", "external_id", "contact_id", "contact__account_id"
            )
        }
    matched: list[tuple[Review, int, int]] = []
    for r in fresh:
        who = (by_email.get(r.email) if r.email else None) or by_person.get((r.site, r.person_id))
        if who is None:
            out.unmatched.append(r.review_id)
        else:
            matched.append((r, *who))
    if not matched:
        return out
    # The asks these reviews may close, oldest first, per contact and site.
    chosen: dict[int, tuple[Review, int]] = {}  # ask id -> (review, contact)
    own: list[tuple[Review, int, int]] = []
    unsent: list[int] = []
    for site in sorted({r.site for r, _, _ in matched}):
        of_site = [(r, c, a) for r, c, a in matched if r.site == site]
        asks = list(
            Ask.objects.filter(
                contact_id__in={c for _, c, _ in of_site},
                ask_type__activity_kind=KIND,
                play__in=_site_plays(site),
                verified_ref="",
            )
            .filter(
                Q(status__in=[*SENT, *UNSENT_STATUSES], paused_at__isnull=True)
                | Q(status=S.PUBLISHED)
            )
            .order_by("opened_at", "pk")
            .values_list("pk", "contact_id", "status")
        )
        free: dict[int, list[tuple[int, str]]] = {}
        for pk, contact, status in asks:
            free.setdefault(contact, []).append((pk, status))
        for r, contact, account in of_site:
            closable = [(pk, s) for pk, s in free.get(contact, []) if s not in UNSENT_STATUSES]
            if closable:
                pk, status = closable[0]
                free[contact].remove((pk, status))
                chosen[pk] = (r, contact)
            else:
                own.append((r, contact, account))
                unsent += [pk for pk, s in free.get(contact, []) if s in UNSENT_STATUSES]
                free[contact] = [
                    (pk, s) for pk, s in free.get(contact, []) if s not in UNSENT_STATUSES
                ]
    if chosen:
        _close(chosen, actor=actor, now=now, out=out)
    if own:
        rows: list[SignalRow] = [
            (r.site, r.review_id, KIND, account, contact, r.published_at or now, r.rating, r.title,
             payload_json(_payload(r, None)))
            for r, contact, account in own
        ]  # fmt: skip
        insert_signal_rows(rows, now=now)
        out.counted = [r.review_id for r, _, _ in own]
    if unsent:
        label = site_label(own[0][0].site) if own else "the site"
        moved = advance_asks(
            unsent, S.CANCELLED, actor=actor, now=now,
            note=f"the advocate's review was published on {label} before the ask was sent",
        )  # fmt: skip
        out.cancelled = moved.moved
    return out


def _close(
    chosen: dict[int, tuple[Review, int]], *, actor: Any, now: datetime, out: ReviewOutcome
) -> None:
    """Move the chosen asks on to published, mark them verified, and give their activity
    signals the reviews' ratings and ids."""
    label = site_label(next(iter(chosen.values()))[0].site)
    note = f"verified on {label}: the advocate's review is published"
    ids = list(chosen)
    for to_status, froms in STEPS:
        moving = list(Ask.objects.filter(pk__in=ids, status__in=froms).values_list("pk", flat=True))
        if moving:
            advance_asks(moving, to_status, actor=actor, now=now, note=note)
    asks = list(Ask.objects.filter(pk__in=ids, status=S.PUBLISHED))
    for ask in asks:
        review, _ = chosen[ask.pk]
        ask.verified_by, ask.verified_ref, ask.verified_at = review.site, review.review_id, now
        out.verified.append((review.review_id, ask.pk))
    Ask.objects.bulk_update(asks, ["verified_by", "verified_ref", "verified_at"])
    AskEvent.objects.bulk_create(
        [
            AskEvent(
                ask_id=ask.pk,
                from_status=S.PUBLISHED,
                to_status=S.PUBLISHED,
                actor_id=getattr(actor, "pk", None),
                note=f"verified on {label}: review {ask.verified_ref}"
                + (f" ({chosen[ask.pk][0].url})" if chosen[ask.pk][0].url else ""),
                at=now,
            )
            for ask in asks
        ]
    )
    keys = {activity_key(a.pk, KIND): a.pk for a in asks}
    signals = list(Signal.objects.filter(source=PROGRAM, key__in=list(keys)))
    for s in signals:
        review, _ = chosen[keys[s.key]]
        s.value = review.rating
        s.text = review.title
        s.payload = {**(s.payload or {}), **_payload(review, keys[s.key])}
    Signal.objects.bulk_update(signals, ["value", "text", "payload"])


class ReviewError(Exception):
    """A file or a site that cannot be read; the message says why."""


MAX_REVIEWS = 50_000  # per file: a page of G2's API holds 100


def import_reviews(
    path: Any,
    *,
    site: str = "g2",
    mapping: dict[str, Any] | None = None,
    actor: Any = None,
    now: datetime,
) -> ReviewOutcome:
    """Read a G2 API document (JSON) or a CSV of reviews and record them (`record_reviews`)."""
    from django.conf import settings

    from advocacy.integrations.connectors.registry import Malformed
    from advocacy.integrations.connectors.vendors import g2

    if site not in settings.REVIEW_SITES:
        known = ", ".join(sorted(settings.REVIEW_SITES))
        raise ReviewError(f"unknown review site {site!r}: one of {known} (ADVOCACY_REVIEW_SITES)")
    try:
        found = g2.read_file(path, site=site, mapping=mapping)
    except Malformed as exc:
        raise ReviewError(str(exc)) from None
    except OSError as exc:
        raise ReviewError(f"cannot read the file ({exc})") from None
    if site != g2.SITE and any(r.site != site for r in found):
        raise ReviewError(f"a G2 API document holds G2 reviews, not {site}'s: use --site g2")
    if len(found) > MAX_REVIEWS:
        raise ReviewError(f"{len(found)} reviews in one file: at most {MAX_REVIEWS}")
    return record_reviews(found, actor=actor, now=now)
