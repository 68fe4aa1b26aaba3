"""G2 reviews: the API's review shape and a CSV with a mapping; each published review closes
its advocate's G2 review ask as verified, and counts once; a replay changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from advocacy.customers.models import Contact, ContactIdentity
from advocacy.engine.models import Play
from advocacy.integrations.connectors.registry import Malformed
from advocacy.integrations.connectors.reviews import record_reviews
from advocacy.integrations.connectors.vendors import g2
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
SAMPLE = Path(__file__).parent / "samples" / "g2-reviews.json"


def play(name: str, site: str | None) -> str:
    definition = {"ask": "review"} | ({"site": site} if site else {})
    Play.objects.create(name=name, title=name, source_file=f"{name}.yaml", definition=definition,
                        digest="x", loaded_at=NOW)  # fmt: skip
    return name


def ask(contact: Contact, status: str, *, play_name: str = "", moment: str = "m") -> Ask:
    return Ask.objects.create(
        contact=contact, ask_type=AskType.objects.get(code="review"), play=play_name,
        moment=moment, status=status, opened_at=NOW - dt.timedelta(days=20),
    )  # fmt: skip


@pytest.fixture
def bo(ada: Contact) -> Contact:
    contact = Contact.objects.create(account=ada.account, email="bo@acme.com")
    ContactIdentity.objects.create(contact=contact, source="g2", external_id="u-2002")
    return contact


def reviews() -> list[g2.Review]:
    return g2.read_file(SAMPLE)


def test_the_api_shape_is_read_as_g2_documents_it():
    first, second, pending, stranger = reviews()
    assert first == g2.Review(
        site="g2", review_id="7012345", published=True,
        published_at=dt.datetime(2026, 5, 22, 19, 0, tzinfo=dt.UTC), email="ada@acme.com",
        person_id="u-1001", rating=4.5, title="Our reference program runs itself now",
        url="https://www.g2.com/survey_responses/7012345",
    )  # fmt: skip
    assert (second.email, second.person_id, second.published_at) == (
        None, "u-2002", dt.datetime(2026, 5, 21, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    assert (pending.published, stranger.published) == (False, True)


def test_a_published_review_closes_the_g2_ask_as_verified_and_counts_once(ada, bo, member):
    sent = ask(ada, "sent", play_name=play("nps-promoter-review", "g2"))
    out = record_reviews(reviews(), actor=member, now=NOW)
    assert out.as_dict() == {
        "reviews": 4,
        "verified": [{"review_id": "7012345", "ask_id": sent.pk}],
        "counted": ["7012346"],
        "unchanged": 0,
        "skipped": 1,
        "unmatched": ["7012348"],
        "cancelled": [],
    }
    sent.refresh_from_db()
    assert (sent.status, sent.verified_by, sent.verified_ref, sent.verified_at) == (
        "published", "g2", "7012345", NOW,
    )  # fmt: skip
    moves = list(sent.events.order_by("pk").values_list("from_status", "to_status", "note"))
    assert moves == [
        ("sent", "accepted", "verified on G2: the advocate's review is published"),
        ("accepted", "completed", "verified on G2: the advocate's review is published; handed "
         "off to packaging: routed to the marketing pool (no rule: the packaging stage's pool)"),
        ("completed", "published", "verified on G2: the advocate's review is published"),
        ("published", "published",
         "verified on G2: review 7012345 (https://www.g2.com/survey_responses/7012345)"),
    ]  # fmt: skip
    counted = list(
        Signal.objects.filter(kind="review_published").order_by("pk")
        .values_list("source", "key", "contact_id", "value")
    )  # fmt: skip
    assert counted == [
        ("program", f"ask:{sent.pk}:review_published", ada.pk, 4.5),
        ("g2", "7012346", bo.pk, 4.0),
    ]
    program = Signal.objects.get(source="program")
    assert program.payload["verified"] is True and program.payload["review_id"] == "7012345"

    again = record_reviews(reviews(), actor=member, now=NOW + dt.timedelta(hours=1))
    assert (again.verified, again.counted, again.unchanged, again.skipped) == ([], [], 2, 1)
    assert Signal.objects.filter(kind="review_published").count() == 2
    assert sent.events.count() == 4


def test_a_review_the_team_reported_is_verified_without_a_second_count(ada, member):
    from advocacy.pipeline.services import advance_ask

    reported = ask(ada, "completed")
    advance_ask(reported, "published", actor=member, now=NOW - dt.timedelta(days=1))
    assert Signal.objects.filter(kind="review_published").count() == 1
    out = record_reviews(reviews()[:1], actor=None, now=NOW)
    assert out.verified == [("7012345", reported.pk)]
    reported.refresh_from_db()
    assert (reported.verified_by, reported.verified_ref) == ("g2", "7012345")
    assert list(Signal.objects.filter(kind="review_published").values_list("source", "value")) == [
        ("program", 4.5)
    ]


def test_another_site_s_ask_stays_and_an_unsent_g2_ask_is_cancelled(ada, member):
    capterra = ask(ada, "sent", play_name=play("capterra-review", "capterra"), moment="c")
    queued = ask(ada, "queued", play_name=play("nps-promoter-review", "g2"), moment="g")
    out = record_reviews(reviews()[:1], actor=member, now=NOW)
    assert (out.verified, out.counted, out.cancelled) == ([], ["7012345"], [queued.pk])
    assert Ask.objects.get(pk=capterra.pk).status == "sent"
    assert Ask.objects.get(pk=queued.pk).status == "cancelled"
    assert list(Signal.objects.values_list("source", "key")) == [("g2", "7012345")]


def test_a_csv_with_a_mapping(tmp_path, ada, bo):
    path = tmp_path / "export.csv"
    path.write_text(
        "ID,Reviewer,G2 user,Stars,Headline,Link,Date,Status\n"
        "9001,ada@acme.com,,5,Great,https://www.g2.com/r/9001,2026-05-01,Published\n"
        "9002,,u-2002,3.5,Fine,,2026-05-02T08:00:00Z,published\n"
        "9003,bo@acme.com,,4,Draft,,2026-05-03,Pending\n"
    )
    mapping = {"columns": {"email": "Reviewer", "person_id": "G2 user", "title": "Headline"}}
    found = g2.read_file(path, mapping=mapping)
    assert [(r.review_id, r.email, r.person_id, r.rating, r.published) for r in found] == [
        ("9001", "ada@acme.com", "", 5.0, True),
        ("9002", None, "u-2002", 3.5, True),
        ("9003", "bo@acme.com", "", 4.0, False),
    ]
    assert found[0].published_at == dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    out = record_reviews(found, now=NOW)
    assert (out.counted, out.skipped) == (["9001", "9002"], 1)


@pytest.mark.parametrize(
    ("text", "mapping", "message"),
    [
        ("Title\nx\n", None, "needs a review id column"),
        ("ID,Email\n1,a@b.example\n", {"columns": {"rating": "Stars"}}, "does not have: Stars"),
        ("ID,Email\n1,a@b.example\n", {"colums": {}}, "unknown key 'colums'"),
        ("ID,Email,Stars\n1,a@b.example,7\n", None, "line 2: rating: a star rating is from 0 to 5"),
    ],
)
def test_a_bad_file_names_what_is_wrong(text, mapping, message):
    with pytest.raises(Malformed, match=message):
        g2.from_csv(text, site="g2", mapping=mapping)


def test_a_bad_document_names_what_is_wrong():
    with pytest.raises(Malformed, match="data\\[0\\]: attributes are missing"):
        g2.from_document({"data": [{"id": "1"}]})
    with pytest.raises(Malformed, match="with `data`"):
        g2.from_document([])


def test_the_reviews_command_imports_a_page_and_a_replay_is_0_new(ada, bo, member):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    sent = ask(ada, "sent", play_name=play("nps-promoter-review", "g2"))

    def run(*args: str) -> str:
        out = StringIO()
        call_command("reviews", "import", str(SAMPLE), *args, stdout=out)
        return out.getvalue()

    first = json.loads(run("--json", "--as", member.username))
    assert first["verified"] == [{"review_id": "7012345", "ask_id": sent.pk}]
    assert run().startswith(
        "4 reviews: 0 closed their ask as verified, 0 counted on their own, 2 already known, "
        "1 not published yet, 1 matched to no contact"
    )
    with pytest.raises(CommandError, match="unknown review site 'yelp'"):
        run("--site", "yelp")
    with pytest.raises(CommandError, match="holds G2 reviews, not capterra's"):
        run("--site", "capterra")
