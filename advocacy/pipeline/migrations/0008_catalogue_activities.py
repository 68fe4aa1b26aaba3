"""Give the shipped ask types in an existing database the activity each produces.

Read from the shipped catalogue (ask_types.yaml) and written in one UPDATE. Only ask types that
declare no activity yet are touched, so one set by hand (or by a playbook's own catalogue) stays.
"""

from django.db import migrations
from django.db.models import Case, Value, When


def load(apps, schema_editor):
    from advocacy.pipeline.catalogue import read_catalogue

    AskType = apps.get_model("pipeline", "AskType")
    shipped = [item for item in read_catalogue() if item.get("activity_kind")]
    if not shipped:
        return
    codes = [item["code"] for item in shipped]

    def by_code(key):
        whens = [When(code=item["code"], then=Value(item[key])) for item in shipped]
        return Case(*whens, default=Value(""))

    AskType.objects.filter(code__in=codes, activity_kind="", activity_on="").update(
        activity_kind=by_code("activity_kind"), activity_on=by_code("activity_on")
    )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0007_ask_activity_and_send_window")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
