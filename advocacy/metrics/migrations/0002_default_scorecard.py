"""Seed 000's example scorecard (section 10), shipped as the default."""

from django.db import migrations
from django.utils import timezone

DEFAULTS = [
    # metric, baseline, target, window, cadence
    ("reviews", 12, 25, "quarter", "monthly"),
    ("referrals", 3, 8, "month", "monthly"),
    ("case_study_conversion", 8, 15, "quarter", "quarterly"),
]


def add(apps, schema_editor):
    entry = apps.get_model("metrics", "ScorecardEntry")
    now = timezone.now()
    entry.objects.bulk_create(
        [
            entry(metric=m, baseline=b, target=t, window=w, cadence=c, position=i, updated_at=now)
            for i, (m, b, t, w, c) in enumerate(DEFAULTS)
        ],
        ignore_conflicts=True,
    )


def remove(apps, schema_editor):
    apps.get_model("metrics", "ScorecardEntry").objects.filter(
        metric__in=[d[0] for d in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
