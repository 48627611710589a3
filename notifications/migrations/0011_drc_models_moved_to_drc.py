"""The DRC's two models now belong to the app ``drc`` (notifications/drc/migrations/0001): notifications
forgets them in its migration state only; their tables and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_direct_message_claim"),
        ("drc", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="drcreportpush", name="report"),
                migrations.DeleteModel(name="DrcReport"),
                migrations.DeleteModel(name="DrcReportPush"),
            ],
            database_operations=[],
        ),
    ]
