"""An approved credit repair in the daily DRC report (format v3): the repaired event is shared as 已修复
with its date, and the signed 信用修复承诺书 is a commitment of 承诺类型 信用修复型 in commitments.csv,
naming the record it repaired."""

from datetime import date

import pytest

from archives.services import event_record
from commitments import repair_text, services
from notifications.drc.storage import report_folder
from tests.factories import PDF_BYTES, AccountFactory, CustomerFactory, ReportFactory, UserFactory, make_uscc

from .conftest import NOW, REPORT_DATE, UNIT, UNIT_CODE, at, build_report, read_csv

pytestmark = pytest.mark.django_db


def test_the_report_shares_the_repair_and_lists_the_repair_commitment(time_machine, staff, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = CustomerFactory(uscc=make_uscc(3101), name="淮阴修复示范有限公司")
    AccountFactory(customer=customer, opened_on=date(2019, 1, 1))
    ReportFactory(customer=customer, issued_on=date(2026, 11, 1), status="verified", shows_dishonesty=False)
    time_machine.move_to(at(2026, 5, 4), tick=False)
    theft = event_record(
        customer=customer, type="theft", occurred_on=date(2026, 5, 4), amount_yuan=30000, actor=UserFactory()
    )
    time_machine.move_to(NOW, tick=False)
    application = services.repair_apply(
        event=theft, actor=staff, committed_on=date(2026, 11, 27),
        evidence=SimpleUploadedFile("receipt.pdf", PDF_BYTES), commitment_file=SimpleUploadedFile("c.pdf", PDF_BYTES),
        paper_application=SimpleUploadedFile("paper.pdf", PDF_BYTES),
    )  # fmt: skip
    other_staff = UserFactory(username="clerk")
    other_staff.groups.add(*staff.groups.all())
    services.repair_propose(
        application=application, actor=other_staff, recommendation="approve", correction_confirmed=True, note="属实"
    )
    application = services.repair_decide(application=application, actor=supervisor, approve=True, note="同意")

    folder = report_folder(build_report(report_date=REPORT_DATE).report)
    commitments = read_csv(folder / "commitments.csv")
    events = read_csv(folder / "events.csv")

    header, *rows = commitments
    row = dict(zip(header, next(r for r in rows if r[0] == application.letter.code), strict=True))
    assert row["承诺类型"] == "信用修复型" and row["承诺人代码"] == customer.uscc
    assert row["承诺事由"] == repair_text.COMMITMENT_REASON and row["承诺内容"] == repair_text.COMMITMENT_CONTENT
    assert row["承诺作出日期"] == "2026-11-27" and (row["承诺受理单位"], row["承诺受理单位代码"]) == (UNIT, UNIT_CODE)
    assert row["备注"] == "修复的失信行为：窃电（发生日期 2026-05-04），修复日期 2026-11-28"
    header, *rows = events
    event_row = dict(zip(header, next(r for r in rows if customer.uscc in r), strict=True))
    assert (event_row["状态"], event_row["修复日期"], event_row["失信信息类别"]) == ("已修复", "2026-11-28", "一般")
