"""/api/plays: list, read, load, run and simulate plays; a play's decisions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.api.routers.play_schemas import OutcomeCounts
from advocacy.api.tests.conftest import NOW, customer
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.plays import DEFAULT_PLAYBOOK
from advocacy.pipeline.models import Ask

pytestmark = pytest.mark.django_db
PROMOTER = "nps-promoter-review"
SHIPPED = sorted(p.stem for p in DEFAULT_PLAYBOOK.glob("*.yaml") if p.stem != "policy")
ZERO = dict.fromkeys(Outcome.values, 0)


def run(api, **body):
    return api.post("/api/plays/run", {"as_of": NOW.isoformat(), **body})


def test_outcome_counts_name_every_outcome():
    assert list(OutcomeCounts.model_fields) == Outcome.values


def test_load_the_playbook_then_list_it(api):
    response = api.post("/api/plays/load")
    assert response.status_code == 200
    assert response.json() == {"plays": SHIPPED}
    listed = api.get("/api/plays", {"limit": 2}).json()
    assert listed["count"] == len(SHIPPED)
    first = listed["items"][0]
    assert first == {
        "name": "champion-speaker",
        "title": "Reference completed by a champion → speaker invitation",
        "source_file": "champion-speaker.yaml",
        "enabled": True,
        "ask": "speaker",
        "trigger": "reference_completed",
        "holdout": 0.0,
        "loaded_at": first["loaded_at"],
        "last_run_at": None,
        "decisions": ZERO,
        "site": "",
        "warnings": [],
    }


def test_a_bad_playbook_loads_nothing_and_names_file_line_and_field(api, settings, tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "name: bad\ntitle: Bad\ntrigger:\n  signal: nps\n  value: {gte: nine}\nask: review\n"
    )
    settings.PLAYBOOK_DIR = str(tmp_path)
    response = api.post("/api/plays/load")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "the playbook has 1 error(s); nothing was loaded",
        "errors": [
            {
                "file": "bad.yaml",
                "line": 5,
                "field": "trigger.value.gte",
                "message": "'nine' is not of type 'number'",
            }
        ],
    }
    assert Play.objects.count() == 0


def test_a_bad_policy_is_named(api, settings, tmp_path):
    (tmp_path / "policy.yaml").write_text("nps_minimum: 9\n")
    settings.PLAYBOOK_DIR = str(tmp_path)
    response = api.post("/api/plays/load")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("policy.yaml", 1, "nps_minimum")
    assert error["message"].startswith("unknown key; known: nps_min, nps_fresh_days, health_min, ")


def test_run_asks_promoters_and_records_every_decision(api, playbook):
    ada = customer("ada@acme.example")
    customer("bob@globex.example", opted_out_at=NOW - dt.timedelta(days=1))
    customer("cy@initech.example", active=False)
    response = run(api, plays=[PROMOTER])
    assert response.status_code == 200
    assert response.json() == {
        "as_of": "2026-06-01T12:00:00Z",
        "plays": [
            {
                **ZERO,
                "play": PROMOTER,
                "considered": 3,
                "asked": 1,
                "blocked_exclusion": 1,
                "not_in_audience": 1,
            }
        ],
    }
    ask = Ask.objects.get()
    assert (ask.contact_id, ask.play, ask.ask_type.code) == (ada.pk, PROMOTER, "review")
    decided = api.get(f"/api/plays/{PROMOTER}/decisions").json()["items"]
    assert sorted((d["email"], d["code"], d["reasons"]) for d in decided) == [
        ("ada@acme.example", "asked", []),
        ("bob@globex.example", "excluded_opted_out", ["excluded: opted out"]),
        ("cy@initech.example", "not_in_audience", ["not in the play's audience"]),
    ]
    again = run(api, plays=[PROMOTER])
    assert again.json()["plays"][0]["considered"] == 0
    assert Ask.objects.count() == 1


def test_a_play_with_its_counts_and_decisions_newest_first(api, playbook):
    ada = customer("ada@acme.example")
    run(api, plays=[PROMOTER])
    later = NOW + dt.timedelta(hours=6)
    bob = customer("bob@globex.example", at=later)
    customer("cy@initech.example", active=False, at=later)
    api.post("/api/plays/run", {"as_of": later.isoformat(), "plays": [PROMOTER]})

    play = api.get(f"/api/plays/{PROMOTER}").json()
    assert play["decisions"] == {**ZERO, "asked": 2, "not_in_audience": 1}
    assert play["last_run_at"] == "2026-06-01T18:00:00Z"
    assert play["definition"]["trigger"] == {
        "signal": "nps",
        "value": {"gte": 9},
        "lookback_hours": 48,
    }

    decisions = api.get(f"/api/plays/{PROMOTER}/decisions").json()
    assert decisions["count"] == 3
    assert [(d["decided_at"], d["email"]) for d in decisions["items"]][2:] == [
        ("2026-06-01T12:00:00Z", "ada@acme.example")
    ]
    assert {(d["decided_at"], d["email"]) for d in decisions["items"][:2]} == {
        ("2026-06-01T18:00:00Z", "bob@globex.example"),
        ("2026-06-01T18:00:00Z", "cy@initech.example"),
    }
    asked = api.get(f"/api/plays/{PROMOTER}/decisions", {"outcome": "asked"}).json()
    assert [d["contact_id"] for d in asked["items"]] == [bob.pk, ada.pk]
    first = asked["items"][1]
    decision = Decision.objects.get(contact=ada)
    assert first == {
        "id": decision.pk,
        "contact_id": ada.pk,
        "email": "ada@acme.example",
        "outcome": "asked",
        "code": "asked",
        "reasons": [],
        "moment": f"signal:{decision.trigger_signal_id}",
        "trigger_signal_id": decision.trigger_signal_id,
        "decided_at": "2026-06-01T12:00:00Z",
        "ask_id": Ask.objects.get(contact=ada).pk,
    }
    listed = {p["name"]: p for p in api.get("/api/plays", {"limit": 50}).json()["items"]}
    assert listed[PROMOTER]["decisions"] == play["decisions"]
    assert listed["csat-community"]["decisions"] == ZERO


def test_unknown_plays_and_an_empty_playbook_are_refused(api, playbook):
    response = run(api, plays=["nope", PROMOTER, "gone"])
    assert response.status_code == 422
    assert response.json() == {"detail": "unknown play(s): gone, nope"}
    Play.objects.all().delete()
    response = run(api)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "no plays are loaded: POST /api/plays/load first"},
    )


@pytest.mark.parametrize(
    "body",
    [
        {"as_of": "2026-06-01T12:00:00"},  # no time zone
        {"as_of": "1969-12-31T23:00:00Z"},
        {"plays": ["no spaces allowed"]},
        {"incremental": "perhaps"},
    ],
)
def test_run_input_is_validated(api, playbook, body):
    response = api.post("/api/plays/run", body)
    assert response.status_code == 422


def test_an_unknown_play_is_not_found(api, playbook):
    response = api.get("/api/plays/nope")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No Play matches the given query."},
    )
    assert api.get("/api/plays/nope/decisions").status_code == 404
    assert api.get("/api/plays/a.b").status_code == 422


def test_simulate_replays_week_by_week_and_writes_nothing(api, playbook):
    customer("ada@acme.example", at=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    customer("bob@globex.example", at=dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), active=False)
    response = api.get(
        "/api/plays/simulate", {"from": "2026-03-01", "to": "2026-03-14", "play": PROMOTER}
    )
    assert response.status_code == 202
    job = api.get(response["Location"]).json()
    assert job["state"] == "done"
    assert job["result"] == {
        "from": "2026-03-01T00:00:00+00:00",
        "to": "2026-03-14T23:59:59+00:00",
        "plays": [PROMOTER],
        "totals": {**ZERO, "asked": 1, "not_in_audience": 1},
        "by_play": {PROMOTER: {**ZERO, "asked": 1, "not_in_audience": 1}},
        "weeks": [
            {**ZERO, "week": "2026-02-23"},
            {**ZERO, "week": "2026-03-02", "asked": 1},
            {**ZERO, "week": "2026-03-09", "not_in_audience": 1},
        ],
    }
    assert (Ask.objects.count(), Decision.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "`to` (2026-03-01) comes before `from`"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "at most 366 days, found 367"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "date"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "expected a day from 1970 to 2099"),
        ({"to": "2026-03-01"}, "Field required"),
    ],
)
def test_simulation_periods_are_validated(api, playbook, params, message):
    response = api.get("/api/plays/simulate", params)
    assert response.status_code == 422
    assert message in str(response.json()["detail"])


def test_loading_and_running_need_plays_run(make_client, playbook):
    reader = make_client("read")
    for path in ("/api/plays/load", "/api/plays/run"):
        response = reader.post(path, {})
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "missing scope 'plays:run': this API key has read"},
        )
    assert reader.get("/api/plays").status_code == 200
    assert make_client("plays:run").post("/api/plays/load").status_code == 200


def test_lists_cost_the_same_queries_however_many_rows(api, playbook):
    """The play list counts decisions in one aggregate query; no list queries per row."""
    customer("ada@acme.example")
    run(api, plays=[PROMOTER])

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    few = [queries(p) for p in ("/api/plays", f"/api/plays/{PROMOTER}/decisions", "/api/asks")]
    for n in range(5):
        customer(f"p{n}@example{n}.example")
    run(api, as_of=(NOW + dt.timedelta(hours=1)).isoformat(), plays=[PROMOTER])
    assert Decision.objects.count() == 6
    many = [queries(p) for p in ("/api/plays", f"/api/plays/{PROMOTER}/decisions", "/api/asks")]
    assert many == few


def test_a_play_carries_its_review_site_and_its_warnings(api, playbook, settings):
    play = api.get(f"/api/plays/{PROMOTER}").json()
    assert play["site"] == "g2"
    assert play["warnings"] == [
        "G2's guidelines forbid inviting only happy customers, and this play invites only NPS"
        " promoters (9-10, through its trigger): invite every respondent (remove the NPS"
        " condition from its trigger), or name a site that allows it"
    ]
    listed = {p["name"]: p["warnings"] for p in api.get("/api/plays").json()["items"]}
    assert [name for name, warnings in listed.items() if warnings] == [PROMOTER]
    settings.REVIEW_SITES = {"g2": "allows"}
    assert api.get(f"/api/plays/{PROMOTER}").json()["warnings"] == []
