# Merges the pausing and agreements branch with the routing and checklists branch.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('pipeline', '0003_ask_pause_agreement'),
        ('pipeline', '0004_default_checklists'),
    ]

    operations = [
    ]
