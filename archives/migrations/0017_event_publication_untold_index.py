"""The nightly 公示期满 run reads the untold records in force by the end of their longest period: a partial index."""

from django.conf import settings
from django.db import migrations, models

from credit_portal.migration_operations import AddIndexLive


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY on PostgreSQL (credit_portal.migration_operations)

    dependencies = [
        ('archives', '0016_event_import_job'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexLive(
            model_name='creditevent',
            index=models.Index(condition=models.Q(('publication_expiry_told_on__isnull', True), ('status', 'in_force')), fields=['publication_longest_until'], name='event_publication_untold'),
        ),
    ]
