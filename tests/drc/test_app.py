"""The DRC is an app of its own (label ``drc``) whose models kept their tables, and whose permission rows
moved with it (the commendation right on to the archive it is about): groups, users and their rights are
carried over by the migrations, nothing is copied."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from credit_portal.celery import app as celery_app
from notifications.drc.models import DrcReport, DrcReportPush
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BEFORE = [("notifications", "0010_direct_message_claim"), ("drc", None), ("archives", "0009_import_job_queued_at")]
AFTER = [
    ("notifications", "0011_drc_models_moved_to_drc"),
    ("drc", "0002_commendation_permission_to_archives"),
    ("archives", "0010_record_commendation_permission"),
]


def _migrate(targets: list) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def test_the_drc_is_an_app_of_its_own_whose_tables_kept_their_names():
    config = apps.get_app_config("drc")
    assert config.name == "notifications.drc"
    assert {model.__name__ for model in config.get_models()} == {"DrcReport", "DrcReportPush"}
    assert DrcReport._meta.db_table == "notifications_drcreport"
    assert DrcReportPush._meta.db_table == "notifications_drcreportpush"
    assert not any(model.__name__.startswith("Drc") for model in apps.get_app_config("notifications").get_models())


def test_a_worker_finds_the_drc_tasks_by_autodiscovery_under_their_historical_names():
    celery_app.loader.import_default_modules()  # what a worker does at start

    assert "notifications.tasks_report.drc_report_daily_task" in celery_app.tasks
    assert "notifications.tasks_report.drc_report_push_sweep_task" in celery_app.tasks


def test_the_move_carries_the_permission_rows_over_so_every_holder_keeps_its_right():
    push_type = ContentType.objects.get_for_model(DrcReportPush)
    watcher = Group.objects.create(name="推送审计（自建）")
    watcher.permissions.add(Permission.objects.get(content_type=push_type, codename="view_drcreportpush"))
    officer = UserFactory(username="commending-officer")
    officer.user_permissions.add(Permission.objects.get(codename="record_commendation"))
    commendation = Permission.objects.get(codename="record_commendation")
    rows = set(Permission.objects.filter(content_type__app_label="drc").values_list("pk", "codename"))
    try:
        _migrate(BEFORE)
        assert set(ContentType.objects.filter(model__startswith="drcreport").values_list("app_label", flat=True)) == {
            "notifications"
        }
        assert Permission.objects.filter(content_type__app_label="drc").count() == 0
        assert Permission.objects.get(pk=commendation.pk).content_type.model == "drcreport"
    finally:
        _migrate(AFTER)

    assert set(Permission.objects.filter(content_type__app_label="drc").values_list("pk", "codename")) == rows
    moved = Permission.objects.get(codename="record_commendation")
    assert (moved.pk, moved.content_type.app_label, moved.content_type.model) == (
        commendation.pk,
        "archives",
        "creditinformation",
    )
    assert not ContentType.objects.filter(app_label="notifications", model__startswith="drcreport").exists()
    assert list(watcher.permissions.values_list("content_type__app_label", "codename")) == [
        ("drc", "view_drcreportpush")
    ]
    officer = type(officer).objects.get(pk=officer.pk)  # a fresh user: no permission cache of the old label
    assert officer.has_perm("archives.record_commendation")
    assert not officer.has_perm("notifications.record_commendation")
    assert set(Group.objects.get(name="drc").permissions.values_list("content_type__app_label", "codename")) >= {
        ("drc", "view_drcreport"),
        ("archives", "record_commendation"),
    }
