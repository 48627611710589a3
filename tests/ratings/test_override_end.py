"""Ending a manual level early: a supervisor other than the requester, with a reason, re-rated at once;
the DRC report says which level is computed, which is in force, and whether an override is in force."""

import csv
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from credit_portal.errors import ApplicationError
from notifications.drc.build import drc_report_build
from notifications.drc.storage import report_folder
from ratings import services
from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingCause, RatingHistory
from tests.factories import AccountFactory, CustomerFactory, ReportFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _pinned(time_machine, settings, tmp_path):
    time_machine.move_to(NOW, tick=False)
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc")
    settings.DRC_PUSH_URL = ""


@pytest.fixture
def overridden(supervisor, other_supervisor):
    customer = CustomerFactory(name="淮阴人工调整有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1), payment_method="prepaid")
    ReportFactory(customer=customer, issued_on=date(2026, 6, 1), status="verified", shows_dishonesty=False)
    services.rating_refresh(customer=customer, cause=RatingCause.MANUAL)
    override = services.override_request(
        customer=customer, level="yellow", reason="营销系统欠费数据待核实", ends_on=date(2027, 3, 31), actor=supervisor
    )
    services.override_decide(override=override, approve=True, actor=other_supervisor)
    assert CustomerRating.objects.get(customer=customer).level == "yellow"
    return override


def test_a_supervisor_ends_an_override_early_with_a_reason_and_the_customer_is_re_rated_at_once(
    overridden, other_supervisor
):
    services.override_end(override=overridden, reason="欠费数据已核实无误", actor=other_supervisor)

    overridden.refresh_from_db()
    assert (overridden.status, overridden.ended_by, overridden.end_reason) == (
        OverrideStatus.ENDED, other_supervisor, "欠费数据已核实无误",
    )  # fmt: skip
    rating = CustomerRating.objects.get(customer=overridden.customer)
    assert (rating.level, rating.override) == ("green", None)
    change = RatingHistory.objects.filter(customer=overridden.customer).first()
    assert (change.level, change.previous_level, change.cause) == ("green", "yellow", RatingCause.OVERRIDE)
    assert overridden.history.first().history_change_reason == "提前结束：欠费数据已核实无误"


def test_the_requester_may_not_end_the_override_and_a_reason_is_needed(overridden, supervisor, other_supervisor, staff):
    with pytest.raises(ApplicationError, match="不能提前结束本人申请的人工调整"):
        services.override_end(override=overridden, reason="理由", actor=supervisor)
    with pytest.raises(ApplicationError, match="请填写提前结束的理由"):
        services.override_end(override=overridden, reason="  ", actor=other_supervisor)
    with pytest.raises(ApplicationError, match="只有班组长"):
        services.override_end(override=overridden, reason="理由", actor=staff)

    overridden.refresh_from_db()
    assert overridden.status == OverrideStatus.ACTIVE
    assert CustomerRating.objects.get(customer=overridden.customer).level == "yellow"


def test_the_end_page_is_offered_in_the_override_list_and_ends_it(client, overridden, other_supervisor, supervisor):
    client.force_login(supervisor)
    assert "本人申请，须由他人提前结束" in client.get(reverse("ratings:override_list")).content.decode()
    client.force_login(other_supervisor)
    url = reverse("ratings:override_end", args=[overridden.pk])
    assert url in client.get(reverse("ratings:override_list")).content.decode()

    response = client.post(url, {"reason": "调整理由已消除"})

    assert response.status_code == 302
    assert LevelOverride.objects.get(pk=overridden.pk).status == OverrideStatus.ENDED


def _csv(folder, name):
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_archives_csv_carries_the_computed_level_the_level_in_force_and_the_override(overridden):
    result = drc_report_build(report_date=date(2026, 11, 28))
    rows = _csv(report_folder(result.report), "archives.csv")

    header, row = rows[0], rows[1]
    assert header[2:5] == ["信用等级", "规则评定等级", "人工调整"]
    assert row[2:5] == ["黄色", "绿色", "是"]
