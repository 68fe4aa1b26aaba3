"""The plays pages: the list with its counts, loading and running, a play's definition and
decisions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.engine.evaluation import in_holdout, run_plays
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import Ask
from advocacy.web.tests.conftest import HTMX, make_account, make_contact, make_signal
from advocacy.web.tests.engine_world import program_account, promoters

pytestmark = pytest.mark.django_db

PLAY = "nps-promoter-review"
DEFAULT_PLAYS = 8


@pytest.fixture
def playbook() -> None:
    load_playbook(now=timezone.now())


@pytest.fixture
def decided(playbook: None) -> dict[str, Any]:
    """Twelve promoters (asked or held out), two idle ones (not in the audience), and an
    opted-out one (blocked by an exclusion), decided by one run of the NPS promoter play."""
    now = timezone.now()
    account = program_account("Acme", now, domain="acme.example")
    asked = promoters(account, 12, now - timedelta(hours=3))
    idle = [make_contact(account, f"Idle{i}") for i in range(2)]
    for contact in idle:
        make_signal("nps", now - timedelta(hours=3), contact=contact, value=9)
    (gone,) = promoters(account, 1, now - timedelta(hours=3))
    gone.opted_out_at = now - timedelta(days=1)
    gone.save()
    run_plays(now=now, names=[PLAY], policy=DEFAULT_POLICY)
    held = sum(in_holdout(PLAY, c.pk, 0.1) for c in asked)
    return {"asked": 12 - held, "held_out": held, "not_in_audience": 2, "excluded": 1}


def test_plays_empty_state_offers_the_default_playbook(admin_client: Client) -> None:
    response = admin_client.get(reverse("web:plays"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No plays loaded yet" in html
    assert 'action="/playbook/load/"' in html
    assert "Load the default playbook" in html
    assert 'data-testid="plays-run"' not in html


def test_the_empty_state_tells_others_who_loads_the_playbook(staff_client: Client) -> None:
    html = staff_client.get(reverse("web:plays")).content.decode()
    assert 'action="/playbook/load/"' not in html
    assert "Loading the playbook is an admin's job" in html


def test_load_the_default_playbook(admin_client: Client) -> None:
    response = admin_client.post(reverse("web:playbook_load"), follow=True)
    assert response.redirect_chain == [(reverse("web:plays"), 302)]
    assert Play.objects.count() == DEFAULT_PLAYS
    html = response.content.decode()
    assert f"Loaded {DEFAULT_PLAYS} play(s) from the playbook." in html
    assert "nps-promoter-review.yaml: G2&#x27;s guidelines forbid inviting only happy" in html
    assert html.count('data-testid="play-row"') == DEFAULT_PLAYS
    assert 'data-testid="plays-run"' in html
    assert 'data-testid="playbook-reload"' in html


def test_a_bad_playbook_loads_nothing_and_lists_every_error(
    admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: bad-play\ntitle: Bad\ntrigger:\n  signal: nps\n  value: {gte: nine}\nask: review\n"
    )
    (tmp_path / "worse.yaml").write_text("name: worse\ntitle: Worse\ntrigger: {signal: nps}\n")
    settings.PLAYBOOK_DIR = str(tmp_path)
    response = admin_client.post(reverse("web:playbook_load"))
    html = response.content.decode()
    assert response.status_code == 400
    assert Play.objects.count() == 0
    assert response.context["load_errors"] == [
        "bad.yaml:5: trigger.value.gte: 'nine' is not of type 'number'",
        "worse.yaml:1: 'ask' is a required property",
    ]
    assert "The playbook was not loaded: 2 errors" in html
    assert "<code>bad.yaml:5: trigger.value.gte: &#x27;nine&#x27; is not of type" in html
    assert "Load the playbook" in html  # not the default folder, so not "the default playbook"


def test_run_all_plays_reports_the_counts(staff_client: Client, playbook: None) -> None:
    account = program_account("Acme", timezone.now(), domain="acme.example")
    contacts = promoters(account, 10, timezone.now() - timedelta(hours=2))
    held = sum(in_holdout(PLAY, c.pk, 0.1) for c in contacts)
    response = staff_client.post(reverse("web:playbook_run"), follow=True)
    assert response.redirect_chain == [(reverse("web:plays"), 302)]
    asked = "" if held == 10 else f"{10 - held} asked"
    held_text = f", {held} held out" if held else ""
    assert (
        f"Ran {DEFAULT_PLAYS} play(s): 10 candidate(s) considered; {asked}{held_text}."
        in response.content.decode()
    )
    assert Ask.objects.count() == 10 - held
    assert Ask.objects.first().events.get().actor.username == "member"  # type: ignore[union-attr]


def test_run_with_no_play_loaded_says_so(staff_client: Client) -> None:
    response = staff_client.post(reverse("web:playbook_run"), follow=True)
    assert "No enabled play to run: load the playbook first." in response.content.decode()


def test_plays_list_counts_decisions_by_outcome(
    staff_client: Client, decided: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # session + user + plays with their counts + asks per play + ask-type names
    with django_assert_max_num_queries(5):
        response = staff_client.get(reverse("web:plays"))
    rows = {row.play.name: row for row in response.context["rows"]}
    row = rows[PLAY]
    assert row.total == 15
    assert row.counts == {
        Outcome.ASKED: decided["asked"],
        Outcome.HELD_OUT: decided["held_out"],
        Outcome.BLOCKED_CAP: 0,
        Outcome.BLOCKED_EXCLUSION: 1,
        Outcome.ALREADY_OPEN: 0,
        Outcome.NOT_ELIGIBLE: 0,
        Outcome.NOT_IN_AUDIENCE: 2,
        Outcome.HELD_FOR_APPROVAL: 0,
    }
    assert row.asks_opened == decided["asked"]
    assert row.trigger == "NPS answer ≥ 9, within 48 hours"
    assert row.ask == "Review (G2, Capterra, TrustRadius)"
    assert row.holdout == "10%"
    assert rows["expansion-case-study"].total == 0
    html = response.content.decode()
    assert '<span data-testid="count-not_in_audience">2</span>' in html
    assert html.count("Never run") == DEFAULT_PLAYS - 1


def test_posts_are_post_only_and_need_login(client: Client, owner: Any, playbook: None) -> None:
    urls = [
        reverse("web:playbook_load"),
        reverse("web:playbook_run"),
        reverse("web:play_run", kwargs={"name": PLAY}),
    ]
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('web:login')}?next={url}"
    client.force_login(owner)
    assert [client.get(url).status_code for url in urls] == [405, 405, 405]
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("name", ["web:plays", "web:play", "web:play_simulate"])
def test_play_pages_need_login(client: Client, name: str) -> None:
    kwargs = {} if name == "web:plays" else {"name": PLAY}
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_play_detail_shows_the_definition_in_words(staff_client: Client, playbook: None) -> None:
    response = staff_client.get(reverse("web:play", kwargs={"name": "milestone-review"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/plays/" aria-current="page">Plays</a>' in html
    assert '<dd data-testid="play-trigger">Usage milestone, within 3 days</dd>' in html
    # An audience of two conditions is an "all of" list.
    assert '<span class="condition__group">all of</span><ul class="condition">' in html
    assert "<li>persona in admin, power_user, champion</li>" in html
    assert "<li>latest NPS ≥ 7</li>" in html
    definition = response.context["definition"]
    assert definition["channels"] == ["email, at once", "in-app message, after 5 days"]
    assert definition["owner"] == "Marketing"
    assert definition["sla"] == "respond within 7 days"
    assert definition["holdout"] == "10%"
    assert "<code>milestone-review.yaml</code>" in html
    assert 'data-testid="play-run"' in html
    assert 'action="/plays/milestone-review/simulate/"' in html


def test_play_detail_routes_and_fallback(staff_client: Client, playbook: None) -> None:
    response = staff_client.get(reverse("web:play", kwargs={"name": "expansion-case-study"}))
    definition = response.context["definition"]
    assert definition["owner"] == "Customer success: the account's owner"
    assert definition["fallback"] == "Referral"
    assert definition["trigger"] == "Expansion, within 7 days"
    assert definition["start"] == "proposed (a person reviews it first)"
    assert definition["prerequisites"] == "the policy's rules"
    assert definition["alternatives"] == ["Referral"]
    html = response.content.decode()
    assert (
        '<dd data-testid="play-alternatives">ask instead, the first they are ready for: '
        "Referral</dd>"
    ) in html


def test_a_play_that_widens_its_stages_says_so(staff_client: Client, playbook: None) -> None:
    response = staff_client.get(reverse("web:play", kwargs={"name": "champion-speaker"}))
    definition = response.context["definition"]
    assert definition["widen_stages"] == "expansion"
    assert definition["prerequisites"].startswith("the policy's rules, and ")
    assert "also asked in the expansion stage" in response.content.decode()


def test_play_detail_lists_and_filters_decisions(
    staff_client: Client, decided: dict[str, Any]
) -> None:
    url = reverse("web:play", kwargs={"name": PLAY})
    response = staff_client.get(url)
    assert len(response.context["decisions"]) == 15
    html = response.content.decode()
    assert '<td class="num" data-testid="outcome-not_in_audience">2</td>' in html
    assert '<td class="num" data-testid="outcome-total"><strong>15</strong></td>' in html
    assert f'<td class="num" data-testid="asks-opened">{decided["asked"]}</td>' in html
    partial = staff_client.get(url, {"outcome": "not_in_audience"}, **HTMX)
    html = partial.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="decision-row"') == 2
    assert "not in the play&#x27;s audience" in html
    assert "2 decisions: not in audience" in html
    blocked = staff_client.get(url, {"outcome": "blocked_exclusion"})
    (decision,) = blocked.context["decisions"]
    assert (decision.code, decision.reasons) == ("excluded_opted_out", ["excluded: opted out"])
    none = staff_client.get(url, {"outcome": "already_open"}, **HTMX).content.decode()
    assert "No decision with this outcome." in none


def test_play_detail_shows_the_latest_hundred(staff_client: Client, playbook: None) -> None:
    play = Play.objects.get(name=PLAY)
    account = make_account("Big")
    contacts = [make_contact(account, f"C{i}") for i in range(105)]
    now = timezone.now()
    Decision.objects.bulk_create(
        [
            Decision(
                play=play,
                contact=c,
                moment=f"m{i}",
                outcome=Outcome.NOT_ELIGIBLE,
                decided_at=now - timedelta(minutes=i),
            )
            for i, c in enumerate(contacts)
        ]
    )
    response = staff_client.get(reverse("web:play", kwargs={"name": PLAY}))
    decisions = response.context["decisions"]
    assert len(decisions) == 100
    assert decisions[0].moment == "m0"
    assert "The latest 100 decisions" in response.content.decode()


def test_play_detail_of_an_unknown_play_is_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("web:play", kwargs={"name": "nope"})).status_code == 404


def test_play_detail_costs_a_bounded_number_of_queries(
    staff_client: Client, decided: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # session + user + play + ask types + outcome counts + asks opened + decisions
    with django_assert_max_num_queries(7):
        staff_client.get(reverse("web:play", kwargs={"name": PLAY}))


def test_run_this_play_now(staff_client: Client, playbook: None) -> None:
    account = program_account("Acme", timezone.now(), domain="acme.example")
    promoters(account, 3, timezone.now() - timedelta(hours=1))
    url = reverse("web:play_run", kwargs={"name": PLAY})
    response = staff_client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("web:play", kwargs={"name": PLAY}), 302)]
    assert "Ran 1 play(s): 3 candidate(s) considered;" in response.content.decode()
    assert Decision.objects.count() == 3
    assert Play.objects.get(name=PLAY).last_run_at is not None
    assert set(Decision.objects.values_list("play__name", flat=True)) == {PLAY}


def test_a_disabled_play_is_not_run(staff_client: Client, playbook: None) -> None:
    Play.objects.filter(name=PLAY).update(enabled=False)
    response = staff_client.post(reverse("web:play_run", kwargs={"name": PLAY}), follow=True)
    assert "This play is disabled, so it was not run." in response.content.decode()
    assert 'data-testid="play-run"' not in response.content.decode()


def test_a_promoters_only_review_play_for_g2_is_warned_on_its_page(
    staff_client: Client, playbook: None
) -> None:
    html = staff_client.get(reverse("web:play", kwargs={"name": PLAY})).content.decode()
    assert '<dd data-testid="play-site">G2</dd>' in html
    assert (
        '<li class="message message--warning" data-testid="play-warning">G2&#x27;s guidelines'
        " forbid inviting only happy customers, and this play invites only NPS promoters"
        " (9-10, through its trigger): invite every respondent (remove the NPS condition from"
        " its trigger), or name a site that allows it</li>"
    ) in html
    other = staff_client.get(reverse("web:play", kwargs={"name": "milestone-review"}))
    assert 'data-testid="play-warning"' not in other.content.decode()
