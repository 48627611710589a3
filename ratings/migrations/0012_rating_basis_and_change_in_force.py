"""The one writer's columns: ``basis`` on ratings and history rows, and the rating's change in force.

``change`` is filled from each customer's latest history row (one statement); ``basis`` stays empty
on rows written before it: the letters and notices about them were composed when they were sent.
"""

import django.db.models.deletion
from django.db import migrations, models


def change_in_force_fill(apps, schema_editor):
    CustomerRating = apps.get_model("ratings", "CustomerRating")
    RatingHistory = apps.get_model("ratings", "RatingHistory")
    latest = (
        RatingHistory.objects.filter(customer_id=models.OuterRef("customer_id"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    CustomerRating.objects.update(change_id=models.Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0011_rating_cause_opened"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerrating",
            name="basis",
            field=models.JSONField(blank=True, default=dict, verbose_name="依据详情"),
        ),
        migrations.AddField(
            model_name="ratinghistory",
            name="basis",
            field=models.JSONField(blank=True, default=dict, verbose_name="依据详情"),
        ),
        migrations.AddField(
            model_name="customerrating",
            name="change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="ratings.ratinghistory",
                verbose_name="现行变更记录",
            ),
        ),
        migrations.RunPython(change_in_force_fill, migrations.RunPython.noop, elidable=True),
    ]
