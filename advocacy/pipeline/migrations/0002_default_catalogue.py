from django.db import migrations


def load(apps, schema_editor):
    from advocacy.pipeline.catalogue import read_catalogue

    AskType = apps.get_model("pipeline", "AskType")
    for item in read_catalogue():
        AskType.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "effort": item["effort"],
                "default_value": item.get("default_value", 0),
                "public": item.get("public", False),
                "prerequisites": item.get("prerequisites") or {},
                "description": item.get("description", ""),
                "source": item.get("source", ""),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
