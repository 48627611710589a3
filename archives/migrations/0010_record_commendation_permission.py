"""Recording a commendation (表彰评优) is a right on the archive's other credit information: the
permission moves from the DRC's report model to ``archives.creditinformation``. The same row moves
(its content type changes), so the groups and users holding it keep it."""

from django.db import migrations

CODENAME = "record_commendation"


def _move(apps, *, source: tuple[str, str], target: tuple[str, str]) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    held = permission.objects.filter(
        content_type__app_label=source[0], content_type__model=source[1], codename=CODENAME
    ).first()
    if held is None:  # a new database: post_migrate creates the permission where it now belongs
        return
    owner, _ = content_type.objects.get_or_create(app_label=target[0], model=target[1])
    permission.objects.filter(content_type=owner, codename=CODENAME).delete()  # one made in between
    held.content_type = owner
    held.save(update_fields=["content_type"])
    # Permission sets cached per user (CachedPermissionsBackend) name the old label: no longer current.
    from credit_portal.auth_backends import permissions_changed

    permissions_changed()


def to_archives(apps, schema_editor) -> None:
    _move(apps, source=("drc", "drcreport"), target=("archives", "creditinformation"))


def to_drc(apps, schema_editor) -> None:
    _move(apps, source=("archives", "creditinformation"), target=("drc", "drcreport"))


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0009_import_job_queued_at"),
        # The permission's content type carries the drc label from there on.
        ("drc", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="creditinformation",
            options={
                "ordering": ["-occurred_on", "-id"],
                "permissions": [("record_commendation", "录入表彰评优等其他信用信息（发改委）")],
                "verbose_name": "其他信用信息",
                "verbose_name_plural": "其他信用信息",
            },
        ),
        migrations.RunPython(to_archives, to_drc),
    ]
