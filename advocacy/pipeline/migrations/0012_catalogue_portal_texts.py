"""Give the shipped ask types what advocates read in the portal: what is asked, how long it takes.

Only blank fields are filled, so a description written by hand stays as it is.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from advocacy.pipeline.catalogue import read_catalogue

    AskType = apps.get_model("pipeline", "AskType")
    shipped = {item["code"]: item for item in read_catalogue()}
    for ask_type in AskType.objects.filter(code__in=list(shipped)):
        item = shipped[ask_type.code]
        changed = []
        for name in ("description", "time_needed"):
            if not getattr(ask_type, name) and item.get(name):
                setattr(ask_type, name, item[name])
                changed.append(name)
        if changed:
            ask_type.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0011_portal_notices_preferences_slots")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
