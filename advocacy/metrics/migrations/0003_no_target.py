"""A scorecard entry may have no target (nor a baseline) until the team sets one.

The default scorecard names seed 000's four metrics (section 10) without the example's numbers:
a new program has not set its targets yet, and a number it did not choose would read as its
own ("below baseline"). Entries still holding exactly the example as shipped, never edited by
anyone, lose those numbers; advocacy-influenced expansion (baseline unknown, target "a defined
baseline") joins them.
"""

from django.db import migrations, models
from django.utils import timezone

SHIPPED = [
    # metric, baseline, target, window, cadence (as 0002 wrote them)
    ("reviews", 12, 25, "quarter", "monthly"),
    ("referrals", 3, 8, "month", "monthly"),
    ("case_study_conversion", 8, 15, "quarter", "quarterly"),
]
ADDED = ("influenced_expansion", "quarter", "quarterly")


def forward(apps, schema_editor):
    entry = apps.get_model("metrics", "ScorecardEntry")
    now = timezone.now()
    for metric, baseline, target, window, cadence in SHIPPED:
        entry.objects.filter(
            metric=metric, baseline=baseline, target=target, window=window, cadence=cadence,
            updated_by__isnull=True,
        ).update(baseline=None, target=None, updated_at=now)  # fmt: skip
    last = entry.objects.aggregate(n=models.Max("position"))["n"]
    metric, window, cadence = ADDED
    entry.objects.bulk_create(
        [
            entry(
                metric=metric, baseline=None, target=None, window=window, cadence=cadence,
                position=0 if last is None else last + 1, updated_at=now,
            )  # fmt: skip
        ],
        ignore_conflicts=True,
    )


def backward(apps, schema_editor):
    entry = apps.get_model("metrics", "ScorecardEntry")
    entry.objects.filter(
        metric=ADDED[0], target__isnull=True, baseline__isnull=True, updated_by__isnull=True
    ).delete()
    for metric, baseline, target, window, cadence in SHIPPED:
        entry.objects.filter(
            metric=metric, target__isnull=True, window=window, cadence=cadence,
            updated_by__isnull=True,
        ).update(baseline=baseline, target=target)  # fmt: skip
    # Any other entry without a target cannot go back to a column that requires one.
    entry.objects.filter(target__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0002_default_scorecard")]
    operations = [
        migrations.AlterField(
            model_name="scorecardentry",
            name="target",
            field=models.FloatField(
                blank=True, help_text="Empty until the team sets one.", null=True
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
