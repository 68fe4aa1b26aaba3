"""Bring an existing database's shipped ask types in line with the policy's rules.

The thresholds every ask must meet (NPS, health, tenure, activity, the stage) moved from the
ask types' prerequisites into the policy, reviews and reference calls name the customer outside
the company (an NDA excludes them), and the anonymous quote is new, with its checklist. Only what still holds the
values the catalogue shipped with is changed, so an ask type edited by hand stays as it is.
"""

from importlib import import_module

from django.db import migrations

OLD = {
    "review": {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "nps_at", "op": "within_days", "value": 180},
        ]
    },
    "testimonial_quote": {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "health", "op": "gte", "value": 70},
        ]
    },
    "video_testimonial": {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "health", "op": "gte", "value": 70},
            {"field": "customer_since", "op": "older_than_days", "value": 90},
        ]
    },
    "case_study": {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "health", "op": "gte", "value": 70},
            {"field": "customer_since", "op": "older_than_days", "value": 90},
            {"field": "last_result_at", "op": "within_days", "value": 365},
        ]
    },
    "reference_call": {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "health", "op": "gte", "value": 70},
            {"field": "customer_since", "op": "older_than_days", "value": 90},
        ]
    },
    "referral": {"all": [{"field": "nps", "op": "gte", "value": 9}]},
    "community": {"all": [{"field": "nps", "op": "gte", "value": 7}]},
}


def forwards(apps, schema_editor):
    from advocacy.pipeline.catalogue import read_catalogue

    AskType = apps.get_model("pipeline", "AskType")
    shipped = {item["code"]: item for item in read_catalogue()}
    for ask_type in AskType.objects.filter(code__in=list(OLD)):
        if ask_type.prerequisites == OLD[ask_type.code]:
            ask_type.prerequisites = shipped[ask_type.code].get("prerequisites") or {}
            ask_type.save(update_fields=["prerequisites"])
    AskType.objects.filter(code__in=["review", "reference_call"]).update(public=True)
    item = shipped["anonymous_quote"]
    AskType.objects.get_or_create(
        code="anonymous_quote",
        defaults={
            "name": item["name"],
            "effort": item["effort"],
            "default_value": item.get("default_value", 0),
            "public": item.get("public", False),
            "prerequisites": item.get("prerequisites") or {},
            "description": item.get("description", ""),
            "source": item.get("source", ""),
            "activity_kind": item.get("activity_kind", ""),
            "activity_on": item.get("activity_on", ""),
        },
    )
    # Its default checklist, as every shipped type has one (a type that has one keeps it).
    import_module("advocacy.pipeline.migrations.0004_default_checklists").load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0008_catalogue_activities")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
