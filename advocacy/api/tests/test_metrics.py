"""/api/metrics: the catalogue's numbers, the scorecard and the report, with scopes and errors."""

from __future__ import annotations

import pytest
import time_machine

from advocacy.metrics.models import ScorecardEntry
from advocacy.metrics.periods import PERIOD_FORMS
from advocacy.metrics.tests.world import NOW, World, build, set_example_targets


@pytest.fixture
def world(db: None) -> World:
    return build()


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_list_metrics_for_a_period_and_segment(api, world):
    response = api.get("/api/metrics", {"period": "2026-Q2"})
    assert response.status_code == 200
    body = response.json()
    values = {m["code"]: m["value"] for m in body["metrics"]}
    assert (values["reviews"], values["case_study_conversion"], values["time_to_fill"]) == (
        3,
        50,
        None,
    )
    assert body["period"]["label"] == "2026-Q2"
    narrowed = api.get("/api/metrics", {"period": "2026-Q2", "persona": "champion"}).json()
    assert {m["code"]: m["value"] for m in narrowed["metrics"]}["reviews"] == 1
    assert narrowed["segment"]["persona"] == "champion"


def test_one_metric(api, world):
    body = api.get("/api/metrics/advocate_coverage", {"period": "2026-Q2"}).json()
    assert (body["value"], body["numerator"], body["denominator"], body["unit"]) == (
        50,
        1,
        2,
        "percent",
    )
    assert body["seed"] == "001 (target 20-30%)"
    missing = api.get("/api/metrics/bogus")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("unknown metric 'bogus': expected one of advocates")


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"period": "yesterday"}, "unknown period 'yesterday': expected " + PERIOD_FORMS),
        ({"period": "0001-01"}, "year 1 is out of range: expected 1900 to 9998"),
        (
            {"period": "2026-03-31..2026-01-01"},
            "'2026-03-31..2026-01-01': the period ends before it starts",
        ),
    ],
)
def test_a_bad_period_is_422_naming_the_forms(api, db, params, detail):
    response = api.get("/api/metrics", params)
    assert (response.status_code, response.json()) == (422, {"detail": detail})


def test_report(api, world):
    body = api.get("/api/metrics/report", {"period": "2026-Q2"}).json()
    assert [r["key"] for r in body["funnels"]["persona"]] == [
        "admin",
        "champion",
        "end_user",
        "executive",
    ]
    (lift,) = body["lift"]
    assert (
        lift["asked"],
        lift["asked_converted"],
        lift["held_out"],
        lift["held_out_converted"],
    ) == (3, 2, 2, 0)
    assert [t["tactic"] for t in body["tactics"]] == [
        "nps_follow_up",
        "csm_personal_ask",
        "in_app_prompt",
        "post_success_email",
    ]
    assert body["tactics"][0] | {} == {
        "tactic": "nps_follow_up",
        "label": "NPS follow-up",
        "sent": 1,
        "accepted": 1,
        "rate": 100.0,
        "expected_low": 50,
        "expected_high": 70,
    }
    assert [s["metric"] for s in body["scorecard"]] == [
        "reviews",
        "referrals",
        "case_study_conversion",
        "influenced_expansion",
    ]


def test_a_fresh_scorecard_has_null_targets_and_progress(api, world):
    got = api.get("/api/metrics/scorecard").json()
    assert [(r["metric"], r["baseline"], r["target"], r["progress"], r["status"]) for r in got] == [
        ("reviews", None, None, None, "no_target"),
        ("referrals", None, None, None, "no_target"),
        ("case_study_conversion", None, None, None, "no_target"),
        ("influenced_expansion", None, None, None, "no_target"),
    ]
    response = api.client.put(
        "/api/metrics/scorecard/nps",
        {"baseline": 20},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert response.status_code == 200
    assert (response.json()["baseline"], response.json()["target"]) == (20, None)


def test_scorecard_read_set_and_remove(api, world):
    set_example_targets()
    assert [r["status"] for r in api.get("/api/metrics/scorecard").json()] == [
        "below_baseline",
        "below_baseline",
        "met",
        "no_target",
    ]
    response = api.client.put(
        "/api/metrics/scorecard/nps",
        {"target": 40, "baseline": 20, "window": "month"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == {
        "metric": "nps",
        "baseline": 20,
        "target": 40,
        "window": "month",
        "cadence": "monthly",
        "updated_at": None,
    }
    assert ScorecardEntry.objects.get(metric="nps").updated_by.username == "owner"
    gone = api.client.delete(
        "/api/metrics/scorecard/nps", headers={"Authorization": f"Bearer {api.secret}"}
    )
    assert gone.status_code == 204
    again = api.client.delete(
        "/api/metrics/scorecard/nps", headers={"Authorization": f"Bearer {api.secret}"}
    )
    assert (again.status_code, again.json()) == (404, {"detail": "'nps' is not on the scorecard"})


def test_setting_an_unknown_metric_is_422(api, db):
    response = api.client.put(
        "/api/metrics/scorecard/bogus",
        {"target": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("unknown metric 'bogus'")


def test_the_scorecard_needs_its_scope(make_client, db):
    reader = make_client("read")
    response = reader.client.put(
        "/api/metrics/scorecard/nps",
        {"target": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {reader.secret}"},
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("missing scope 'scorecard:write'")
    assert reader.get("/api/metrics/scorecard").status_code == 200


def test_metrics_need_a_key(anonymous, db):
    assert anonymous.get("/api/metrics").status_code == 401
