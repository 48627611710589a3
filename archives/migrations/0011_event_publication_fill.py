"""Class and publication periods for the events recorded before they existed (信用修复, issue 21).

Fixed with the plan's numbers (black.3's theft amount, black.7's voltages), counted from each
event's finding: the local date of ``recorded_at``. The class table is ``archives.vocabulary``.
On PostgreSQL one set-based UPDATE (``archives.publication.fill_unclassed_sql``): the row-by-row
fill did not finish within 15 minutes at five million events.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from archives import publication, vocabulary

BATCH = 5000


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        publication.fill_unclassed_sql(schema_editor.connection, time_zone=settings.TIME_ZONE)
    else:
        fill_in_batches(apps)


def fill_in_batches(apps):
    """Other databases (the embedded SQLite default: a demo's few thousand events), in batches."""
    CreditEvent = apps.get_model("archives", "CreditEvent")
    pending = CreditEvent.objects.filter(dishonesty_class="").order_by("pk")
    fields = ["dishonesty_class", "publication_shortest_until", "publication_longest_until"]
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        for event in batch:
            event.dishonesty_class = vocabulary.dishonesty_class(
                event.type,
                amount_yuan=event.amount_yuan,
                voltage_kv=event.voltage_kv,
                severity=event.severity or None,
                thresholds=vocabulary.PLAN_THRESHOLDS,
            )
            found_on = timezone.localdate(event.recorded_at)
            event.publication_shortest_until, event.publication_longest_until = vocabulary.publication_period(
                event.dishonesty_class, found_on
            )
        CreditEvent.objects.bulk_update(batch, fields)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0010_event_publication_and_repair"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
