"""Each imported record keeps the import job that wrote it, so that the job's notices name exactly its own records
(two imports by one person running together used to be told apart by user and time only). A nullable column: no
rewrite of the events table; records imported before it are found as before (``archives.selectors.events_of_import``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from credit_portal.migration_operations import AddIndexLive


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY on PostgreSQL (credit_portal.migration_operations)
    dependencies = [
        ("archives", "0015_event_facts_covering_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="creditevent",
            name="import_job",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="events",
                to="archives.importjob",
                verbose_name="导入任务",
            ),
        ),
        migrations.AddField(
            model_name="historicalcreditevent",
            name="import_job",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="archives.importjob",
                verbose_name="导入任务",
            ),
        ),
        AddIndexLive(
            model_name="creditevent",
            index=models.Index(
                condition=models.Q(("import_job__isnull", False)), fields=["import_job"], name="event_import_job"
            ),
        ),
    ]
