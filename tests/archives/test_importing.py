"""The marketing-system import: the preview lists every bad row and writes nothing; the import upserts."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import CreditEvent, Customer, ElectricityAccount, EventSource, ImportJob, ImportStatus
from archives.services import imports
from archives.tasks import import_run_task
from credit_portal.errors import ApplicationError
from ratings import rules
from ratings.models import CustomerRating
from tests.factories import AccountFactory, CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db

REASON = "营销系统导入"


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Pin today to 2026-11-28 (noon in Asia/Shanghai), so date rules never depend on the run date."""
    time_machine.move_to(datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def _csv(text: str, *, encoding: str = "utf-8", name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list], *, name: str = "export.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _counts() -> tuple[int, int, int]:
    return Customer.objects.count(), ElectricityAccount.objects.count(), CreditEvent.objects.count()


def _preview_and_run(kind: str, upload, actor) -> ImportJob:
    job = imports.import_preview(kind=kind, upload=upload, actor=actor)
    assert job.status == ImportStatus.READY, job.errors
    return imports.import_run(job_id=job.pk)


def _errors(job: ImportJob) -> list[tuple]:
    return [(error["line"], error["field"]) for error in job.errors]


# --- Good files ------------------------------------------------------------------------------------------


def test_customers_csv_creates_new_and_updates_existing_customers_with_history(staff):
    existing = CustomerFactory(name="旧名称有限公司")
    new_uscc = make_uscc(501)
    upload = _csv(
        "uscc,name,legal_representative,contact_phone,industry\n"
        f"{existing.uscc},新名称有限公司,王五,0517-8888888,制造业\n"
        f"{new_uscc.lower()},淮阴新建有限公司,赵六,13800000001,批发和零售业\n"
    )

    job = _preview_and_run("customers", upload, staff)

    assert job.status == ImportStatus.DONE
    assert job.summary["created"] == 1 and job.summary["updated"] == 1
    assert job.processed_rows == job.total_rows == 2
    existing.refresh_from_db()
    assert existing.name == "新名称有限公司" and existing.contact_phone == "0517-8888888"
    created = Customer.objects.get(uscc=new_uscc)
    assert created.legal_representative == "赵六"
    for customer, history_type in ((existing, "~"), (created, "+")):
        record = customer.history.latest()
        assert (record.history_type, record.history_user, record.history_change_reason) == (history_type, staff, REASON)
    assert CustomerRating.objects.filter(customer=created).exists()


def test_importing_the_same_customers_file_again_changes_nothing(staff):
    text = f"uscc,name\n{make_uscc(502)},淮阴甲有限公司\n"
    _preview_and_run("customers", _csv(text), staff)

    job = _preview_and_run("customers", _csv(text), staff)

    assert job.summary == {"created": 0, "updated": 0, "unchanged": 1, "rerated": 0}
    assert Customer.objects.get(uscc=make_uscc(502)).history.count() == 1


def test_accounts_csv_upserts_the_daily_arrears_feed_and_rerates_the_customers(staff):
    customer = CustomerFactory()
    account = AccountFactory(customer=customer, number="3208041000", opened_on=date(2018, 1, 1))
    upload = _csv(
        "uscc,number,opened_on,payment_method,arrears_since,voltage_level,capacity_kva\n"
        f"{customer.uscc},3208041000,2018-01-01,后付费,2026-07-15,10kV,315\n"
        f'{customer.uscc},3208041001,2020/3/5,预存,,0.4kV,"1,250.5"\n'
    )

    job = _preview_and_run("accounts", upload, staff)

    assert job.status == ImportStatus.DONE
    assert (job.summary["created"], job.summary["updated"], job.summary["rerated"]) == (1, 1, 1)
    account.refresh_from_db()
    assert account.arrears_since == date(2026, 7, 15)
    new = ElectricityAccount.objects.get(number="3208041001")
    assert (new.customer, new.opened_on, new.payment_method) == (customer, date(2020, 3, 5), "prepaid")
    assert (new.arrears_since, new.capacity_kva) == (None, Decimal("1250.50"))
    assert account.history.latest().history_change_reason == REASON
    assert new.history.get().history_user == staff
    assert CustomerRating.objects.get(customer=customer).rules  # rated, with the rules that applied


def test_events_csv_records_new_events_as_imported_by_the_user(staff):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
    upload = _csv(
        "统一社会信用代码,失信行为类型,发生日期,窃电金额,电压,情节,情况说明\n"
        f'{customer.uscc},窃电,2026-03-01,"12,000.50",,,表计接线被改动\n'
        f"{customer.uscc},grid_outage,2026-04-02,,10kV,,\n"
        f"{customer.uscc},故意破坏电力设施,2026-05-03,,,情节较轻,\n"
        f"{customer.uscc},dishonesty,2026-06-04,,,一般,\n"
    )

    job = _preview_and_run("events", upload, staff)

    assert job.status == ImportStatus.DONE and job.summary["created"] == 4
    events = {event.type: event for event in CreditEvent.objects.filter(customer=customer)}
    assert events["theft"].amount_yuan == Decimal("12000.50")
    assert events["theft"].description == "表计接线被改动"
    assert events["grid_outage"].voltage_kv == Decimal("10")
    assert events["facility_damage"].severity == "minor"
    assert events["dishonesty"].severity == "general"
    for event in events.values():
        assert (event.source, event.recorded_by, event.import_job_id) == (EventSource.IMPORT, staff, job.pk)
        assert event.history.get().history_change_reason == REASON
    assert CustomerRating.objects.get(customer=customer).level in rules.NEGATIVE_LEVELS  # re-rated after import


def test_an_xlsx_file_imports_with_date_and_number_cells(staff):
    customer = CustomerFactory()
    upload = _xlsx(
        [
            ["户号", "统一社会信用代码", "立户日期", "交费方式", "欠费起始日", "电压等级", "容量（千伏安）"],
            [3208042000, customer.uscc, datetime(2019, 5, 6), "postpaid", None, "10千伏", 400.0],
            [None, None, None, None, None, None, None],
            [3208042001, customer.uscc, date(2021, 1, 2), "prepaid", None, "0.4kV", 50.5],
        ]
    )

    job = _preview_and_run("accounts", upload, staff)

    assert job.status == ImportStatus.DONE and job.total_rows == 2
    assert job.original_name == "export.xlsx" and job.file.name.endswith(".csv")  # stored as the rows it read
    account = ElectricityAccount.objects.get(number="3208042000")
    assert (account.opened_on, account.voltage_level, account.capacity_kva) == (
        date(2019, 5, 6),
        "10kV",
        Decimal("400.00"),
    )
    assert ElectricityAccount.objects.get(number="3208042001").capacity_kva == Decimal("50.50")


def test_an_xlsx_file_lists_errors_by_sheet_row(staff):
    upload = _xlsx([["uscc", "name"], [make_uscc(1), "甲"], [None, None], ["BAD", "乙"]])

    job = imports.import_preview(kind="customers", upload=upload, actor=staff)

    assert _errors(job) == [(4, "uscc")]


def test_an_xlsx_table_from_column_b_keeps_the_sheets_row_numbers(staff):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B1"], sheet["C1"] = "uscc", "name"  # column A left blank
    sheet["B2"], sheet["C2"] = make_uscc(7), "甲"
    sheet["B4"], sheet["C4"] = "BAD", "乙"  # after a blank row
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = imports.import_preview(
        kind="customers", upload=SimpleUploadedFile("away.xlsx", buffer.getvalue()), actor=staff
    )

    assert _errors(job) == [(4, "uscc")]


def test_a_damaged_workbook_is_refused_with_a_message_and_nothing_stored(staff):
    good = _xlsx([["uscc", "name"], [make_uscc(8), "甲"]]).read()
    damaged = good.replace(b"xl/worksheets/sheet1.xml", b"xl/worksheets/sheetX.xml")

    with pytest.raises(ApplicationError, match="Excel"):
        imports.import_preview(kind="customers", upload=SimpleUploadedFile("bad.xlsx", damaged), actor=staff)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_bom_or_gb18030_with_chinese_headers_imports(staff, encoding):
    uscc = make_uscc(503)
    upload = _csv(f"统一社会信用代码,名称,地址\n{uscc},淮阴区供电测试有限公司,淮阴区长江东路\n", encoding=encoding)

    job = _preview_and_run("customers", upload, staff)

    assert job.status == ImportStatus.DONE
    customer = Customer.objects.get(uscc=uscc)
    assert (customer.name, customer.address) == ("淮阴区供电测试有限公司", "淮阴区长江东路")


# --- Bad files: every bad row listed, nothing written -------------------------------------------------


def test_a_file_with_bad_rows_lists_each_with_its_line_and_writes_nothing(staff):
    customer = CustomerFactory()
    AccountFactory(customer=customer, number="3208043000")
    before = _counts()
    upload = _csv(
        "uscc,number,opened_on,payment_method,arrears_since,voltage_level,capacity_kva\n"
        f"{customer.uscc},3208043001,2019-01-01,postpaid,,10kV,100\n"  # 2: good
        f"{customer.uscc},32080A,2019-01-01,postpaid,,10kV,100\n"  # 3: number not digits
        "\n"  # 4: blank, skipped but counted as a line
        f"{customer.uscc},3208043002,2019-13-01,月结,,10kV,约100\n"  # 5: bad date and bad capacity
        f"{make_uscc(999)},3208043003,2019-01-01,postpaid,,10kV,100\n"  # 6: customer not on file
        f"{customer.uscc},3208043004,2019-01-01,postpaid,2018-06-01,10kV,100\n"  # 7: arrears before opened
        f"{customer.uscc},3208043001,2019-01-01,postpaid,,10kV,100\n"  # 8: number repeated
        f"{customer.uscc},3208043005,2019-01-01,postpaid,,10kV,100,extra\n"  # 9: too many cells
    )

    job = imports.import_preview(kind="accounts", upload=upload, actor=staff)

    assert job.status == ImportStatus.INVALID
    assert job.total_rows == 7
    assert _errors(job) == [
        (3, "number"),
        (5, "opened_on"),
        (5, "capacity_kva"),
        (6, "uscc"),
        (7, "arrears_since"),
        (8, "number"),
        (9, None),
    ]
    messages = {error["line"]: error["message"] for error in job.errors}
    assert "未建档" in messages[6] and "与第 2 行重复" in messages[8]
    assert _counts() == before
    assert imports.import_run(job_id=job.pk).status == ImportStatus.INVALID  # an invalid job never runs
    assert _counts() == before


def test_a_uscc_twice_in_a_customers_file_is_an_error_on_the_second_line(staff):
    uscc = make_uscc(504)
    upload = _csv(f"uscc,name\n{uscc},甲公司\n{make_uscc(505)},乙公司\n{uscc.lower()},丙公司\n")

    job = imports.import_preview(kind="customers", upload=upload, actor=staff)

    assert job.status == ImportStatus.INVALID
    assert job.errors == [{"line": 4, "field": "uscc", "message": f"统一社会信用代码 {uscc} 与第 2 行重复"}]
    assert not Customer.objects.exists()


def test_event_rows_are_checked_as_the_event_form_checks_them(staff):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2020, 1, 1))
    before = _counts()
    upload = _csv(
        "uscc,type,occurred_on,amount_yuan,voltage_kv,severity\n"
        f"{customer.uscc},meter_tampering,2026-01-01,,,\n"  # 2: unknown type
        f"{customer.uscc},late_payment,2026-12-01,,,\n"  # 3: in the future
        f"{customer.uscc},theft,2026-01-01,-100,,\n"  # 4: negative amount
        f"{customer.uscc},grid_outage,2026-01-01,,,\n"  # 5: voltage missing
        f"{make_uscc(506)},late_payment,2026-01-01,,,\n"  # 6: customer not on file
        f"{customer.uscc},late_payment,2019-12-31,,,\n"  # 7: before the first account was opened
        f"{customer.uscc},facility_damage,2026-01-01,,,很严重\n"  # 8: severity not allowed
        f"{customer.uscc},late_payment,2026-01-01,,,\n"  # 9: good
    )

    job = imports.import_preview(kind="events", upload=upload, actor=staff)

    assert job.status == ImportStatus.INVALID
    messages = {error["line"]: (error["field"], error["message"]) for error in job.errors}
    assert messages == {
        2: ("type", "未知的失信行为类型“meter_tampering”"),
        3: ("occurred_on", "发生日期 2026-12-01 晚于今天，不能录入"),
        4: ("amount_yuan", "窃电金额不能为负数"),
        5: ("voltage_kv", "停电事件须填写电压等级（千伏）"),
        6: ("uscc", f"统一社会信用代码 {make_uscc(506)} 未建档，请先导入或新建用户档案"),
        7: ("occurred_on", "发生日期 2019-12-31 早于该用户最早立户日期 2020-01-01"),
        8: ("severity", "情节“很严重”无效，应为：minor、serious"),
    }
    assert _counts() == before


def test_missing_and_unknown_header_columns_are_reported_once(staff):
    upload = _csv(f"uscc,名称,remark\n{make_uscc(507)},甲,x\n{make_uscc(508)},乙,y\n")

    job = imports.import_preview(kind="accounts", upload=upload, actor=staff)

    assert job.status == ImportStatus.INVALID
    lines = {error["line"] for error in job.errors}
    assert lines == {1}
    messages = [error["message"] for error in job.errors]
    assert messages[:2] == ["未知的列“名称”", "未知的列“remark”"]
    assert "缺少必填列“户号”" in messages and "缺少必填列“立户日期”" in messages


@pytest.mark.parametrize("text", ["", "uscc,name\n", "\n\n"], ids=["empty", "header-only", "blank-lines"])
def test_an_empty_file_is_reported(staff, text):
    upload = _csv(text) if text else SimpleUploadedFile("empty.csv", b"")
    try:
        job = imports.import_preview(kind="customers", upload=upload, actor=staff)
    except ApplicationError as error:
        assert error.message == "文件为空"
    else:
        assert job.status == ImportStatus.INVALID
        assert job.errors[0]["message"] in {"文件中没有数据行", "文件为空，缺少表头行"}


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
        (bytes(range(256)) * 4, "二进制文件"),
    ],
    ids=["png", "pdf", "binary"],
)
def test_a_renamed_binary_file_is_refused(staff, content, found):
    with pytest.raises(ApplicationError) as refused:
        imports.import_preview(kind="customers", upload=SimpleUploadedFile("data.csv", content), actor=staff)

    assert found in refused.value.message and "只接受 CSV 或 XLSX" in refused.value.message
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(staff):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    upload = SimpleUploadedFile("data.xlsx", buffer.getvalue())

    with pytest.raises(ApplicationError, match="不是 Excel 工作簿"):
        imports.import_preview(kind="customers", upload=upload, actor=staff)


def test_a_file_over_the_size_limit_is_refused(staff, settings):
    settings.IMPORT_MAX_BYTES = 10

    with pytest.raises(ApplicationError, match="文件过大"):
        imports.import_preview(kind="customers", upload=_csv("uscc,name\n1,2\n"), actor=staff)


# --- Running a job -------------------------------------------------------------------------------------


def test_a_job_cannot_be_imported_twice(staff):
    customer = CustomerFactory()
    job = imports.import_preview(
        kind="events", upload=_csv(f"uscc,type,occurred_on\n{customer.uscc},late_payment,2026-01-05\n"), actor=staff
    )

    first = imports.import_run(job_id=job.pk)
    second = imports.import_run(job_id=job.pk)
    import_run_task(job.pk)

    assert first.status == second.status == ImportStatus.DONE
    assert CreditEvent.objects.filter(customer=customer).count() == 1
    with pytest.raises(ApplicationError, match="不能开始导入"):
        imports.import_start(job=second, actor=staff)


def test_the_task_ignores_a_missing_job():
    import_run_task(987654)  # no error, nothing to do

    assert not ImportJob.objects.exists()


def test_a_file_that_went_stale_after_the_preview_is_not_imported(staff):
    customer, other = CustomerFactory(), CustomerFactory()
    text = "uscc,number,opened_on,payment_method,arrears_since,voltage_level,capacity_kva\n"
    text += f"{customer.uscc},3208044001,2019-01-01,postpaid,,10kV,100\n"
    text += f"{customer.uscc},3208044000,2019-01-01,postpaid,,10kV,100\n"
    job = imports.import_preview(kind="accounts", upload=_csv(text), actor=staff)
    AccountFactory(customer=other, number="3208044000")  # meanwhile the number went to another customer

    job = imports.import_run(job_id=job.pk)

    assert job.status == ImportStatus.INVALID
    assert _errors(job) == [(3, "number")]
    assert not ElectricityAccount.objects.filter(number="3208044001").exists()


def test_a_failure_part_way_is_recorded_with_the_rows_already_written(staff, monkeypatch):
    customer = CustomerFactory()
    lines = "".join(f"{customer.uscc},late_payment,2026-01-{day:02d}\n" for day in range(1, 6))
    job = imports.import_preview(kind="events", upload=_csv("uscc,type,occurred_on\n" + lines), actor=staff)
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    write_events = imports.WRITERS["events"]
    calls = []

    def fail_on_second_batch(rows, *, actor, job):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return write_events(rows, actor=actor, job=job)

    monkeypatch.setitem(imports.WRITERS, "events", fail_on_second_batch)

    job = imports.import_run(job_id=job.pk)

    assert job.status == ImportStatus.FAILED
    assert job.processed_rows == 2 and job.summary["last_line"] == 3
    assert "database went away" in job.summary["error"]
    assert CreditEvent.objects.filter(customer=customer).count() == 2


# --- Pages --------------------------------------------------------------------------------------------


def test_staff_upload_preview_start_and_see_the_result(client, staff, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    client.force_login(staff)
    assert "失信行为类型" in client.get(reverse("archives:import_list")).content.decode()

    upload = _csv(f"uscc,type,occurred_on\n{customer.uscc},late_payment,2026-02-03\n", name="营销导出.csv")
    response = client.post(reverse("archives:import_list"), {"kind": "events", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("archives:import_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "校验通过" in page and "开始导入" in page and "营销导出.csv" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:import_start", args=[job.pk]))
    assert response.status_code == 302

    page = client.get(response.url).content.decode()
    assert "导入完成" in page and 'http-equiv="refresh"' not in page
    assert CreditEvent.objects.filter(customer=customer, source=EventSource.IMPORT).count() == 1


def test_the_preview_page_lists_errors_and_offers_them_as_csv(client, staff):
    client.force_login(staff)
    upload = _csv(f"uscc,name\n{make_uscc(509)},\nBAD,乙\n")
    client.post(reverse("archives:import_list"), {"kind": "customers", "file": upload})
    job = ImportJob.objects.get()

    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    download = client.get(reverse("archives:import_detail", args=[job.pk]), {"download": "errors"})

    assert "请填写名称" in page and "开始导入" not in page
    rows = download.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "行号,列,原因" and rows[1].startswith("2,名称,") and rows[2].startswith("3,统一社会信用代码,")


def test_a_running_job_shows_progress_and_refreshes_itself(client, staff):
    job = imports.import_preview(kind="customers", upload=_csv(f"uscc,name\n{make_uscc(510)},甲\n"), actor=staff)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=0, total_rows=4)
    client.force_login(staff)

    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page and "已写入 0 / 4 行" in page


def test_an_upload_that_is_not_csv_or_xlsx_is_refused_on_the_form(client, staff):
    client.force_login(staff)
    upload = SimpleUploadedFile("data.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    response = client.post(reverse("archives:import_list"), {"kind": "customers", "file": upload})

    assert response.status_code == 200 and "只接受 CSV 或 XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_sample_file_has_the_header_of_its_kind_and_two_example_rows(client, staff):
    client.force_login(staff)

    response = client.get(reverse("archives:import_sample", args=["accounts"]))

    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "uscc,number,opened_on,payment_method,arrears_since,voltage_level,capacity_kva"
    assert len(lines) == 3 and lines[1].startswith("91320804000000119M,3200000001,2018-03-01")


@pytest.mark.parametrize("kind", ["customers", "accounts", "events"])
def test_each_sample_file_passes_the_preview_once_its_customers_exist(staff, kind, django_capture_on_commit_callbacks):
    from archives.importing import sample_csv

    before = {"customers": [], "accounts": ["customers"], "events": ["customers", "accounts"]}[kind]
    for earlier in before:
        with django_capture_on_commit_callbacks(execute=True):
            imports.import_start(
                job=imports.import_preview(kind=earlier, upload=_csv(sample_csv(earlier)), actor=staff), actor=staff
            )

    job = imports.import_preview(kind=kind, upload=_csv(sample_csv(kind)), actor=staff)

    assert job.errors == [] and job.total_rows == 2


@pytest.mark.parametrize("persona", ["applicant", "drc"])
def test_applicants_and_drc_officers_cannot_use_the_import(client, staff, persona, request):
    job = imports.import_preview(kind="customers", upload=_csv(f"uscc,name\n{make_uscc(511)},甲\n"), actor=staff)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("archives:import_list")).status_code == 403
    assert client.post(reverse("archives:import_list"), {"kind": "customers"}).status_code == 403
    assert client.get(reverse("archives:import_detail", args=[job.pk])).status_code == 403
    assert client.post(reverse("archives:import_start", args=[job.pk])).status_code == 403
    assert client.get(reverse("archives:import_sample", args=["events"])).status_code == 403
    assert ImportJob.objects.get().status == ImportStatus.READY


def test_the_import_services_refuse_a_user_without_the_import_permission(drc):
    with pytest.raises(ApplicationError, match="只有营业厅工作人员"):
        imports.import_preview(kind="customers", upload=_csv(f"uscc,name\n{make_uscc(512)},甲\n"), actor=drc)

    assert not ImportJob.objects.exists()


def test_a_value_under_a_column_without_a_name_is_an_error_not_silently_dropped(staff):
    upload = _csv(f"uscc,,name\n{make_uscc(513)},,甲\n{make_uscc(514)},备注,乙\n")

    job = imports.import_preview(kind="customers", upload=upload, actor=staff)

    assert _errors(job) == [(3, None)]


class _WorkerKilled(BaseException):
    """Not an Exception: what a killed worker looks like to the code after it (nothing runs)."""


def test_a_killed_import_stalls_visibly_and_resumes_after_the_rows_it_wrote(
    client, staff, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    lines = "".join(f"{customer.uscc},late_payment,2026-01-{day:02d}\n" for day in range(1, 6))
    job = imports.import_preview(kind="events", upload=_csv("uscc,type,occurred_on\n" + lines), actor=staff)
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    write_events = imports.WRITERS["events"]
    calls = []

    def killed_in_the_second_batch(rows, *, actor, job):
        calls.append(len(rows))
        if len(calls) == 2:
            raise _WorkerKilled
        return write_events(rows, actor=actor, job=job)

    monkeypatch.setitem(imports.WRITERS, "events", killed_in_the_second_batch)
    with pytest.raises(_WorkerKilled):
        imports.import_run(job_id=job.pk)
    monkeypatch.setitem(imports.WRITERS, "events", write_events)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.stalled) == (ImportStatus.RUNNING, 2, False)
    assert imports.import_run(job_id=job.pk).processed_rows == 2  # a live heartbeat: not taken over

    time_machine.shift(imports.LEASE.total_seconds() + 1)
    client.force_login(staff)
    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-stalled"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archives:import_start", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.summary["created"]) == (ImportStatus.DONE, 5, 5)
    assert job.lease_until is None
    assert CreditEvent.objects.filter(customer=customer).count() == 5
