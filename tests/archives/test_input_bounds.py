"""Numbers and dates at the edges: an import cell, a form field or an API value that the archive cannot
hold (1e30, NaN, inf, too many digits, a date before 1990) is refused with a message naming the row and
the column, never a 500; dates are written with four-digit years."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import CreditEvent, ElectricityAccount, ImportStatus, PublicCreditReport
from archives.selectors import archive_history
from archives.services import imports, report_upload
from credit_portal.errors import ApplicationError
from tests.factories import PDF_BYTES, AccountFactory, CustomerFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def _upload(rows: list[list], fmt: str) -> SimpleUploadedFile:
    if fmt == "csv":
        text = "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n"
        return SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("export.xlsx", buffer.getvalue())


def _errors(job) -> dict[int, tuple[str, str]]:
    return {error["line"]: (error["field"], error["message"]) for error in job.errors}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_accounts_file_with_capacities_no_column_can_hold_lists_each_row_and_writes_nothing(staff, fmt):
    uscc = CustomerFactory().uscc
    header = ["uscc", "number", "opened_on", "payment_method", "arrears_since", "voltage_level", "capacity_kva"]
    upload = _upload(
        [
            header,
            [uscc, "3200000001", "2018-03-01", "postpaid", "", "10kV", 1e30],  # 2: a number cell in XLSX
            [uscc, "3200000002", "2018-03-01", "postpaid", "", "10kV", "NaN"],  # 3
            [uscc, "3200000003", "2018-03-01", "postpaid", "", "10kV", "-inf"],  # 4
            [uscc, "3200000004", "2018-03-01", "postpaid", "", "10kV", "123456789"],  # 5: nine whole digits
            [uscc, "3200000005", "2018-03-01", "postpaid", "", "10kV", "99999999.999"],  # 6: rounds to nine
            [uscc, "3200000006", "1989-12-31", "postpaid", "", "10kV", "400"],  # 7: before 1990
            [uscc, "3200000007", "2018-03-01", "postpaid", "", "10kV", "99999999.99"],  # 8: the largest
        ],
        fmt,
    )

    job = imports.import_preview(kind="accounts", upload=upload, actor=staff)

    assert job.status == ImportStatus.INVALID
    errors = _errors(job)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert errors[2][0] == "capacity_kva" and "数值过大：整数部分最多8位" in errors[2][1]
    assert errors[3] == ("capacity_kva", "容量“NaN”应为数字")
    assert errors[4] == ("capacity_kva", "容量“-inf”应为数字")
    assert errors[5] == ("capacity_kva", "容量“123456789”数值过大：整数部分最多8位")
    assert errors[6] == ("capacity_kva", "容量“99999999.999”数值过大：整数部分最多8位")
    assert errors[7] == ("opened_on", "立户日期 1989-12-31 早于 1990-01-01，请核对")
    assert not ElectricityAccount.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_events_file_with_amounts_and_voltages_no_column_can_hold_lists_each_row(staff, fmt):
    uscc = CustomerFactory().uscc
    upload = _upload(
        [
            ["uscc", "type", "occurred_on", "amount_yuan", "voltage_kv"],
            [uscc, "theft", "2026-01-05", 1e30, ""],  # 2
            [uscc, "grid_outage", "2026-01-05", "", "1e30"],  # 3
            [uscc, "theft", "2026-01-05", "Infinity", ""],  # 4
            [uscc, "grid_outage", "2026-01-05", "", "123456"],  # 5: the column holds five whole digits
            [uscc, "late_payment", "1989-12-31", "", ""],  # 6: before 1990
            [uscc, "theft", "2026-01-05", "999999999999.99", ""],  # 7: the largest amount
        ],
        fmt,
    )

    job = imports.import_preview(kind="events", upload=upload, actor=staff)

    errors = _errors(job)
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert errors[2][0] == "amount_yuan" and "数值过大：整数部分最多12位" in errors[2][1]
    assert errors[3] == ("voltage_kv", "电压等级“1e30”数值过大：整数部分最多5位")
    assert errors[4] == ("amount_yuan", "窃电金额“Infinity”应为数字")
    assert errors[5] == ("voltage_kv", "电压等级“123456”数值过大：整数部分最多5位")
    assert errors[6] == ("occurred_on", "发生日期 1989-12-31 早于 1990-01-01，请核对")
    assert not CreditEvent.objects.exists()


def test_the_preview_page_names_the_row_and_the_column_of_a_number_too_large(client, staff):
    uscc = CustomerFactory().uscc
    upload = _upload([["uscc", "type", "occurred_on", "amount_yuan"], [uscc, "theft", "2026-01-05", "1e30"]], "csv")
    job = imports.import_preview(kind="events", upload=upload, actor=staff)
    client.force_login(staff)

    page = client.get(reverse("archives:import_detail", args=[job.pk])).content.decode()

    assert "<td>2</td><td>窃电金额</td><td>窃电金额“1e30”数值过大：整数部分最多12位</td>" in page


def test_the_event_form_refuses_an_amount_of_1e30_with_a_message_and_records_nothing(client, staff):
    customer = CustomerFactory()
    client.force_login(staff)

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {"type": "theft", "occurred_on": "2026-01-05", "amount_yuan": "1e30"},
    )

    assert response.status_code == 200
    assert "窃电金额“1E+30”数值过大：整数部分最多12位" in response.content.decode()
    assert not CreditEvent.objects.exists()


@pytest.mark.parametrize("occurred_on", ["0801-04-11", "1989-12-31"])
def test_the_api_refuses_an_event_before_1990_for_a_customer_with_no_account(api_client_for, staff, occurred_on):
    customer = CustomerFactory()
    body = {"customer": customer.uscc, "type": "late_payment", "occurred_on": occurred_on}

    response = api_client_for(staff).post("/api/events/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"occurred_on": [f"发生日期 {occurred_on} 早于 1990-01-01，请核对"]}
    assert not CreditEvent.objects.exists()


def test_an_event_on_the_first_of_january_1990_is_accepted_for_a_customer_with_no_account(api_client_for, staff):
    customer = CustomerFactory()
    body = {"customer": customer.uscc, "type": "late_payment", "occurred_on": "1990-01-01"}

    response = api_client_for(staff).post("/api/events/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["occurred_on"] == "1990-01-01"


def test_the_event_form_refuses_a_date_before_the_customers_first_account_and_before_1990(client, staff):
    customer = AccountFactory(opened_on=date(2018, 1, 1)).customer
    client.force_login(staff)
    url = reverse("archives:event_create", args=[customer.uscc])

    before_account = client.post(url, {"type": "late_payment", "occurred_on": "2017-12-31"}).content.decode()
    before_1990 = client.post(url, {"type": "late_payment", "occurred_on": "1989-12-31"}).content.decode()

    assert "发生日期 2017-12-31 早于该用户最早立户日期 2018-01-01" in before_account
    assert "发生日期 1989-12-31 早于 1990-01-01，请核对" in before_1990
    assert not CreditEvent.objects.exists()


def test_a_report_dated_before_1990_is_refused(staff):
    customer = CustomerFactory()

    with pytest.raises(ApplicationError) as error:
        report_upload(
            customer=customer, issued_on=date(1985, 6, 1), actor=staff,
            file=SimpleUploadedFile("report.pdf", PDF_BYTES),
        )  # fmt: skip

    assert (error.value.field, error.value.message) == ("issued_on", "报告日期 1985-06-01 早于 1990-01-01，请核对")
    assert not PublicCreditReport.objects.exists()


def test_the_api_writes_a_date_of_a_year_before_1000_with_four_digits(api_client_for, staff):
    # Written before the floor existed: the API must still answer within its own schema.
    event = EventFactory(occurred_on=date(801, 4, 11))

    response = api_client_for(staff).get(f"/api/customers/{event.customer.uscc}/events/")

    assert response.status_code == 200
    assert [row["occurred_on"] for row in response.json()["results"]] == ["0801-04-11"]


def test_the_audit_trail_writes_a_date_of_a_year_before_1000_with_four_digits(staff):
    account = AccountFactory(opened_on=date(801, 4, 11))
    account.opened_on = date(2018, 4, 11)
    account.save()

    changes = [change for entry in archive_history(account.customer, unmasked=True) for change in entry.changes]

    assert ("立户日期", "0801-04-11", "2018-04-11") in changes
