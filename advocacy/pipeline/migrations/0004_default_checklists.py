from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    """Version 1 of each ask type's checklist from checklists.yaml; copy it to open asks."""
    from advocacy.pipeline.checklists import read_default_checklists

    AskType = apps.get_model("pipeline", "AskType")
    Ask = apps.get_model("pipeline", "Ask")
    AskStep = apps.get_model("pipeline", "AskStep")
    ChecklistTemplate = apps.get_model("pipeline", "ChecklistTemplate")
    ChecklistStep = apps.get_model("pipeline", "ChecklistStep")
    now = timezone.now()
    templates = {}
    for code, steps in read_default_checklists().items():
        ask_type = AskType.objects.filter(code=code).first()
        if ask_type is None or ChecklistTemplate.objects.filter(ask_type=ask_type).exists():
            continue
        template = ChecklistTemplate.objects.create(
            ask_type=ask_type, version=1, note="default", created_at=now
        )
        templates[ask_type.pk] = template
        ChecklistStep.objects.bulk_create(
            ChecklistStep(
                template=template,
                position=i,
                title=s.title,
                owner_role=s.role,
                text=s.text,
                requires_status=s.status,
            )
            for i, s in enumerate(steps, start=1)
        )
    open_statuses = ["proposed", "queued", "sent", "accepted", "scheduled"]
    for ask_type_id, template in templates.items():
        steps = list(ChecklistStep.objects.filter(template=template))
        ask_ids = Ask.objects.filter(ask_type_id=ask_type_id, status__in=open_statuses)
        for start in range(0, ask_ids.count(), 1000):
            chunk = list(ask_ids.order_by("pk").values_list("pk", flat=True)[start : start + 1000])
            AskStep.objects.bulk_create(
                [
                    AskStep(
                        ask_id=pk,
                        template=template,
                        position=s.position,
                        title=s.title,
                        owner_role=s.owner_role,
                        text=s.text,
                        requires_status=s.requires_status,
                    )
                    for pk in chunk
                    for s in steps
                ],
                ignore_conflicts=True,
            )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_routing_checklists_escalation")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
