"""The DRC becomes an app of its own (label ``drc``): its two models move here from notifications in the
migration state only; the tables keep their names and rows (``db_table``), nothing is copied.

The content types of the two models are renamed to the new label, so their permissions (the same rows,
``view_drcreport``, ``record_commendation``, ``build_drcreport`` …) and the groups and users holding them
move along: nobody loses a right.
"""

import django.db.models.deletion
from django.db import migrations, models


MODELS = ("drcreport", "drcreportpush")


def _relabel(apps, *, old: str, new: str) -> None:
    """Give the models' content types the label `new`; if `new` ones exist already (a post_migrate ran in
    between), their permissions take the old rows' place and the old content types go."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        before = content_type.objects.filter(app_label=old, model=model).first()
        if before is None:
            continue
        after = content_type.objects.filter(app_label=new, model=model).first()
        if after is None:
            before.app_label = new
            before.save(update_fields=["app_label"])
            continue
        held = permission.objects.filter(content_type=before).values_list("codename", flat=True)
        permission.objects.filter(content_type=after, codename__in=list(held)).delete()
        permission.objects.filter(content_type=before).update(content_type=after)
        before.delete()
    content_type.objects.clear_cache()
    # Permission sets cached per user (CachedPermissionsBackend) name the old label: no longer current.
    from credit_portal.auth_backends import permissions_changed

    permissions_changed()


def content_types_to_drc(apps, schema_editor) -> None:
    _relabel(apps, old="notifications", new="drc")


def content_types_to_notifications(apps, schema_editor) -> None:
    _relabel(apps, old="drc", new="notifications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables exist (notifications 0002) and notifications' state still holds the models; it lets
        # go of them in its 0011, which depends on this one.
        ("notifications", "0010_direct_message_claim"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DrcReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('report_date', models.DateField(unique=True, verbose_name='报送日期')),
                        ('status', models.CharField(choices=[('building', '生成中'), ('ready', '已生成'), ('failed', '生成失败')], default='building', max_length=10, verbose_name='状态')),
                        ('folder', models.CharField(blank=True, max_length=200, verbose_name='存储目录')),
                        ('counts', models.JSONField(blank=True, default=dict, verbose_name='记录数')),
                        ('checksums', models.JSONField(blank=True, default=dict, verbose_name='SHA-256')),
                        ('sizes', models.JSONField(blank=True, default=dict, verbose_name='文件大小（字节）')),
                        ('generated_at', models.DateTimeField(blank=True, null=True, verbose_name='生成时间')),
                        ('build_seconds', models.FloatField(blank=True, null=True, verbose_name='生成耗时（秒）')),
                        ('builds', models.PositiveIntegerField(default=0, verbose_name='生成次数')),
                        ('claim_token', models.UUIDField(blank=True, editable=False, null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True, verbose_name='占用至')),
                        ('build_started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始生成')),
                        ('last_error', models.TextField(blank=True, verbose_name='最近错误')),
                        ('failed_at', models.DateTimeField(blank=True, null=True, verbose_name='失败时间')),
                        ('push_status', models.CharField(blank=True, choices=[('', '未配置推送'), ('pending', '待推送'), ('sending', '推送中'), ('pushed', '已推送'), ('failed', '推送失败')], default='', max_length=10, verbose_name='推送状态')),
                        ('push_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='本次推送尝试次数')),
                        ('push_lease_until', models.DateTimeField(blank=True, null=True, verbose_name='推送占用至')),
                        ('pushed_at', models.DateTimeField(blank=True, null=True, verbose_name='推送成功时间')),
                    ],
                    options={
                        'verbose_name': '发改委报送文件',
                        'verbose_name_plural': '发改委报送文件',
                        'db_table': 'notifications_drcreport',
                        'ordering': ['-report_date'],
                        'permissions': [('record_commendation', '录入表彰评优等其他信用信息（发改委）'), ('build_drcreport', '立即生成当日报送文件（营业厅）')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('status', 'ready'), _negated=True), models.Q(('folder', ''), _negated=True), _connector='OR'), name='ready_drc_report_has_folder')],
                    },
                ),
                migrations.CreateModel(
                    name='DrcReportPush',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('attempt', models.PositiveSmallIntegerField(verbose_name='第几次')),
                        ('target', models.CharField(max_length=500, verbose_name='推送地址')),
                        ('archive_sha256', models.CharField(blank=True, max_length=64, verbose_name='压缩包 SHA-256')),
                        ('bytes_sent', models.BigIntegerField(default=0, verbose_name='字节数')),
                        ('outcome', models.CharField(choices=[('sending', '推送中'), ('succeeded', '成功'), ('failed', '失败')], default='sending', max_length=10, verbose_name='结果')),
                        ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP 状态')),
                        ('response_excerpt', models.TextField(blank=True, verbose_name='应答摘要')),
                        ('error', models.TextField(blank=True, verbose_name='错误')),
                        ('started_at', models.DateTimeField(verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pushes', to='drc.drcreport', verbose_name='报送文件')),
                    ],
                    options={
                        'verbose_name': '报送推送记录',
                        'verbose_name_plural': '报送推送记录',
                        'db_table': 'notifications_drcreportpush',
                        'ordering': ['report', 'attempt', 'id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_drc, content_types_to_notifications),
    ]
