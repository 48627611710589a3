"""The DRC officers' side: who may open which page and endpoint, what they see, and their one write."""

import io
import zipfile
from datetime import date

import pytest

from archives.models import CreditInformation
from notifications.drc.columns import FILE_NAMES
from notifications.drc.models import DrcReport, DrcReportPush
from notifications.drc.storage import report_folder

from .conftest import REPORT_DATE, build_report

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "staff", "supervisor", "applicant", "other_applicant", "drc")
READERS = (302, 200, 200, 403, 403, 200)  # anonymous: to the login page
READ_ONLY = (302, 405, 405, 403, 403, 405)
API_READERS = (401, 200, 200, 403, 403, 200)  # anonymous: challenged for a token
API_READ_ONLY = (401, 405, 405, 403, 403, 405)
REPORT = "/drc/reports/2026-11-28"
INFORMATION = "/drc/archives/{uscc}/information/new/"

# (page, method, url, expected status per persona in PERSONAS order)
MATRIX = [
    ("reports", "get", "/drc/", READERS),
    ("reports", "post", "/drc/", READ_ONLY),
    ("report", "get", f"{REPORT}/", READERS),
    ("report", "post", f"{REPORT}/", READ_ONLY),
    ("report of a day without one", "get", "/drc/reports/2026-11-01/", (302, 404, 404, 403, 403, 404)),
    ("commitments.csv", "get", f"{REPORT}/files/commitments.csv", READERS),
    ("archives.csv", "get", f"{REPORT}/files/archives.csv", READERS),
    ("events.csv", "get", f"{REPORT}/files/events.csv", READERS),
    ("report.xlsx", "get", f"{REPORT}/files/report.xlsx", READERS),
    ("manifest.json", "get", f"{REPORT}/files/manifest.json", READERS),
    ("events.csv", "delete", f"{REPORT}/files/events.csv", READ_ONLY),
    ("a file not in the report", "get", f"{REPORT}/files/settings.py", (302, 404, 404, 403, 403, 404)),
    ("zip", "get", f"{REPORT}/download.zip", READERS),
    ("zip", "post", f"{REPORT}/download.zip", READ_ONLY),
    ("archive search", "get", "/drc/archives/", READERS),
    ("archive search", "post", "/drc/archives/", READ_ONLY),
    ("letters", "get", "/drc/letters/", READERS),
    ("letters", "post", "/drc/letters/", READ_ONLY),
    ("commendation form", "get", INFORMATION, READERS),
    ("commendation", "post", INFORMATION, (302, 302, 302, 403, 403, 302)),
    ("api reports", "get", "/api/drc/reports/", API_READERS),
    ("api reports", "post", "/api/drc/reports/", API_READ_ONLY),
    ("api report", "get", "/api/drc/reports/2026-11-28/", API_READERS),
    ("api report", "put", "/api/drc/reports/2026-11-28/", API_READ_ONLY),
    ("api report", "delete", "/api/drc/reports/2026-11-28/", API_READ_ONLY),
    ("api report of a malformed date", "get", "/api/drc/reports/28-11-2026/", (401, 404, 404, 403, 403, 404)),
]

COMMENDATION = {
    "kind": "commendation",
    "title": "2026年度诚信用电示范企业",
    "occurred_on": "2026-11-20",
    "issuing_body": "淮阴区发展和改革委员会",
    "description": "区社会信用体系建设工作领导小组办公室表彰",
}


def _cases():
    for page, method, url, expected in MATRIX:
        for persona, status in zip(PERSONAS, expected, strict=True):
            yield pytest.param(method, url, persona, status, id=f"{page}-{method}-{persona}-{status}")


@pytest.fixture
def world(dataset, staff, supervisor, applicant, other_applicant, drc, report_root):
    report = build_report(report_date=REPORT_DATE).report
    # A commendation (表彰评优) is for honest customers only: the DRC commends the honest one.
    return {"report": report, "uscc": dataset.tricky.uscc, "dataset": dataset, "root": report_root}


def _snapshot(root) -> dict:
    """Everything a request here could change: reports, pushes, credit information (and its audit), files."""
    return {
        "reports": list(DrcReport.objects.values_list("pk", "status", "folder", "builds", "push_status")),
        "pushes": DrcReportPush.objects.count(),
        "information": list(CreditInformation.objects.values_list("pk", "customer_id", "title")),
        "information_history": CreditInformation.history.count(),
        "files": sorted((str(p), p.stat().st_size) for p in root.rglob("*") if p.is_file()),
    }


@pytest.mark.parametrize(("method", "url", "persona", "expected"), list(_cases()))
def test_permission_matrix(request, client, api_client_for, world, method, url, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    url = url.format(uscc=world["uscc"])
    before = _snapshot(world["root"])

    if url.startswith("/api/"):
        response = getattr(api_client_for(user), method)(url, {}, format="json")
    else:
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, COMMENDATION if method == "post" else None)

    assert response.status_code == expected, getattr(response, "content", b"")[:300]
    if expected == 302 and persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    wrote = method == "post" and "information" in url and persona in ("staff", "supervisor", "drc")
    if wrote:
        assert _snapshot(world["root"])["information"] != before["information"]
        assert response["Location"] == f"/archives/customers/{world['uscc']}/"
    else:
        assert _snapshot(world["root"]) == before


def test_a_drc_officer_records_a_commendation_that_staff_see_on_the_archive_page(client, world, drc, staff):
    client.force_login(drc)

    response = client.post(INFORMATION.format(uscc=world["uscc"]), COMMENDATION)

    information = CreditInformation.objects.get()
    assert response.status_code == 302
    assert (information.kind, information.title) == ("commendation", COMMENDATION["title"])
    assert information.recorded_by == drc
    assert information.occurred_on == date(2026, 11, 20)
    assert information.history.get().history_user == drc  # audited, with who did it
    client.force_login(staff)
    page = client.get(f"/archives/customers/{world['uscc']}/").content.decode()
    assert "表彰评优：2026年度诚信用电示范企业（淮阴区发展和改革委员会）" in page


def test_a_commendation_dated_after_today_is_refused_and_nothing_is_written(client, world, drc):
    client.force_login(drc)

    response = client.post(INFORMATION.format(uscc=world["uscc"]), {**COMMENDATION, "occurred_on": "2026-12-01"})

    assert response.status_code == 200
    assert "日期不能晚于今天" in response.content.decode()
    assert not CreditInformation.objects.exists() and CreditInformation.history.count() == 0


def test_a_drc_officer_cannot_record_a_note_and_nothing_is_written(client, world, drc):
    client.force_login(drc)

    response = client.post(INFORMATION.format(uscc=world["uscc"]), {**COMMENDATION, "kind": "note"})

    assert response.status_code == 200
    assert "表彰评优" in response.content.decode()
    assert not CreditInformation.objects.exists() and CreditInformation.history.count() == 0


def test_the_drc_form_offers_a_commendation_only(client, world, drc):
    client.force_login(drc)

    page = client.get(INFORMATION.format(uscc=world["uscc"])).content.decode()

    assert 'value="commendation"' in page and 'value="note"' not in page
    assert "其他信用信息" not in page


def test_the_drc_form_says_before_it_is_filled_that_a_customer_that_is_not_honest_cannot_be_commended(
    client, world, drc
):
    from tests.factories import rate

    client.force_login(drc)
    honest = client.get(INFORMATION.format(uscc=world["uscc"])).content.decode()
    assert 'id="form-lead"' not in honest
    rate(world["dataset"].tricky, "red")

    page = client.get(INFORMATION.format(uscc=world["uscc"])).content.decode()

    lead = page.index("表彰评优仅限诚信客户（绿色、蓝色信用等级），该企业当前信用等级为红色：现在提交“表彰评优”")
    assert "其他类型的信用信息可照常录入" in page
    assert lead < page.index('<form method="post" class="stacked"')
    assert not CreditInformation.objects.exists()


def test_the_information_service_refuses_a_note_from_a_drc_officer(world, drc):
    from archives.models import Customer
    from archives.services import credit_information_record
    from credit_portal.errors import ApplicationError

    with pytest.raises(ApplicationError, match="发改委只能录入表彰评优") as error:
        credit_information_record(
            customer=Customer.objects.get(uscc=world["uscc"]), kind="note", title="约谈记录",
            occurred_on=date(2026, 11, 20), actor=drc,
        )  # fmt: skip

    assert error.value.field == "kind"
    assert not CreditInformation.objects.exists()


def test_staff_still_record_a_note(world, staff):
    from archives.models import Customer
    from archives.services import credit_information_record

    information = credit_information_record(
        customer=Customer.objects.get(uscc=world["uscc"]), kind="note", title="约谈记录",
        occurred_on=date(2026, 11, 20), actor=staff,
    )  # fmt: skip

    assert information.kind == "note"


def test_a_commendation_for_an_unknown_enterprise_answers_404(client, world, drc):
    client.force_login(drc)

    response = client.post(INFORMATION.format(uscc="91320804MA0000000X"), COMMENDATION)

    assert response.status_code == 404
    assert not CreditInformation.objects.exists()


def test_the_report_list_shows_each_day_with_its_counts_and_push_status(client, world, drc):
    client.force_login(drc)

    page = client.get("/drc/").content.decode()

    assert '<a href="/drc/reports/2026-11-28/">2026-11-28</a>' in page
    assert "<td>已生成</td>" in page
    assert "<td>2</td><td>5</td><td>5</td>" in page  # the personas' two enterprises are archives too
    assert "未配置推送" in page
    assert 'href="/drc/reports/2026-11-28/download.zip"' in page


def test_the_report_page_lists_every_file_with_its_checksum(client, world, drc):
    client.force_login(drc)

    page = client.get(f"{REPORT}/").content.decode()

    for name in FILE_NAMES:
        assert f'href="{REPORT}/files/{name}"' in page
        assert world["report"].checksums[name] in page


def test_each_file_downloads_as_built(client, world, drc):
    client.force_login(drc)
    folder = report_folder(world["report"])

    for name in FILE_NAMES:
        response = client.get(f"{REPORT}/files/{name}")
        assert b"".join(response.streaming_content) == (folder / name).read_bytes(), name
        assert response["Content-Disposition"] == f'attachment; filename="2026-11-28-{name}"'
    assert client.get(f"{REPORT}/files/archives.csv")["Content-Type"] == "text/csv; charset=utf-8"


def test_the_whole_report_downloads_as_one_streamed_zip(client, world, drc):
    client.force_login(drc)
    folder = report_folder(world["report"])

    response = client.get(f"{REPORT}/download.zip")

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="drc-report-2026-11-28.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert archive.namelist() == list(FILE_NAMES)
    for name in FILE_NAMES:
        assert archive.read(name) == (folder / name).read_bytes(), name


def test_the_archive_search_finds_by_name_and_level_and_links_the_archive_page(client, world, drc):
    client.force_login(drc)
    plain = world["dataset"].plain

    by_name = client.get("/drc/archives/", {"search": "乙机械"}).content.decode()
    by_level = client.get("/drc/archives/", {"level": "green"}).content.decode()

    assert f'href="/archives/customers/{plain.uscc}/">淮阴乙机械有限公司</a>' in by_name
    assert "黄色等级评定要素第1条、黄色等级评定要素第2条" in by_name and "yellow.1" not in by_name  # ids in words
    assert "<td>2 / 3</td>" in by_name  # two events in force, one revoked
    assert "<td>2026-05-01</td>" in by_name  # the latest verified report
    assert "32080420260601000001" in by_name
    assert "淮阴丙商贸有限公司" not in by_name
    assert "星光" in by_level and "淮阴乙机械有限公司" not in by_level
    assert client.get(f"/archives/customers/{plain.uscc}/").status_code == 200  # the existing archive page


def test_the_letters_page_lists_every_letter_with_its_status_and_file(client, world, drc):
    client.force_login(drc)
    accepted = world["dataset"].letters[0]

    page = client.get("/drc/letters/").content.decode()
    only_pending = client.get("/drc/letters/", {"status": "pending"}).content.decode()

    assert page.count("<tr>") == 1 + 4  # header + two accepted, one pending, one rejected
    assert "已受理" in page and "待审核" in page and "已退回" in page and "部分履行" in page
    assert f'href="/commitments/files/letter/{accepted.pk}/"' in page
    assert only_pending.count("<tr>") == 1 + 1
    assert client.get(f"/commitments/files/letter/{accepted.pk}/").status_code == 200


def test_the_navigation_offers_the_drc_pages_to_drc_officers_only(client, world, drc, applicant):
    client.force_login(drc)
    assert "报送与查询" in client.get("/drc/").content.decode()
    client.force_login(applicant)
    assert "报送与查询" not in client.get("/commitments/public/").content.decode()


def test_the_api_lists_reports_with_counts_files_and_checksums(api_client_for, world, drc):
    client = api_client_for(drc)

    listing = client.get("/api/drc/reports/").json()
    detail = client.get("/api/drc/reports/2026-11-28/").json()

    assert listing["count"] == 1
    first = listing["results"][0]
    assert (first["report_date"], first["status"], first["counts"]) == (
        "2026-11-28",
        "ready",
        {"commitments": 2, "archives": 5, "events": 5, "credit_information": 0},
    )
    assert [f["name"] for f in first["files"]] == list(FILE_NAMES)
    assert first["files"][1]["sha256"] == world["report"].checksums["archives.csv"]
    assert first["files"][1]["url"] == "http://testserver/drc/reports/2026-11-28/files/archives.csv"
    assert detail["pushes"] == [] and detail["push_status_label"] == "未配置推送"


def test_the_schema_documents_the_drc_endpoints(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths["/api/drc/reports/"]) == {"get"}
    assert set(paths["/api/drc/reports/{report_date}/"]) == {"get"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/notifications/drc/", "/drc/"),
        ("/notifications/drc/reports/2026-11-28/", "/drc/reports/2026-11-28/"),
        ("/notifications/drc/reports/2026-11-28/files/events.csv", "/drc/reports/2026-11-28/files/events.csv"),
        ("/notifications/drc/archives/?search=%E4%B9%99&level=green", "/drc/archives/?search=%E4%B9%99&level=green"),
        ("/notifications/drc/letters/?status=pending", "/drc/letters/?status=pending"),
    ],
)
def test_the_old_drc_addresses_redirect_to_drc_for_good(client, drc, old, new):
    client.force_login(drc)

    response = client.get(old)

    assert (response.status_code, response["Location"]) == (308, new)


def test_a_commendation_posted_to_the_old_address_is_sent_on_with_its_method(client, drc):
    client.force_login(drc)

    response = client.post("/notifications/drc/archives/91320804MA1XXXXXXX/information/new/", COMMENDATION)

    assert response.status_code == 308
    assert response["Location"] == "/drc/archives/91320804MA1XXXXXXX/information/new/"
    assert CreditInformation.objects.count() == 0


def test_the_drc_tasks_keep_the_names_that_beat_and_queued_messages_hold():
    from credit_portal.celery import app
    from notifications.drc import tasks

    assert tasks.drc_report_daily_task.name == "notifications.tasks_report.drc_report_daily_task"
    assert tasks.drc_report_push_task.name == "notifications.tasks_report.drc_report_push_task"
    assert tasks.drc_report_push_sweep_task.name == "notifications.tasks_report.drc_report_push_sweep_task"
    assert "notifications.tasks_report.drc_report_daily_task" in app.tasks


def test_staff_build_todays_report_on_demand_once_and_drc_officers_see_when(
    client, dataset, staff, drc, report_root, django_capture_on_commit_callbacks
):
    from notifications.drc.models import DrcReport

    client.force_login(staff)
    page = client.get("/drc/").content.decode()
    assert "立即生成今日" in page

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/drc/build-today/", follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/drc/build-today/", follow=True)

    report = DrcReport.objects.get()
    assert report.status == "ready" and report.builds == 1
    assert "已开始生成" in first.content.decode() and "无需重复生成" in second.content.decode()
    client.force_login(drc)
    listing = client.get("/drc/").content.decode()
    assert "立即生成今日" not in listing
    assert report.generated_at.astimezone().strftime("%Y-%m-%d") in listing and "推送成功时间" in listing
    assert client.post("/drc/build-today/").status_code == 403


def test_drc_officers_see_the_trend_of_levels_as_server_drawn_svg(client, dataset, drc):
    client.force_login(drc)

    page = client.get("/drc/").content.decode()

    assert 'id="trend-chart"' in page and "<svg" in page and "近30天每日等级变更次数" in page


def test_a_missing_unit_code_is_told_to_the_utilitys_admins_not_to_drc_officers(
    client, world, drc, supervisor, settings
):
    settings.DRC_ACCEPTING_UNIT_CODE = ""

    client.force_login(drc)
    assert "承诺受理单位代码未配置" not in client.get(f"{REPORT}/").content.decode()
    client.force_login(supervisor)
    assert "承诺受理单位代码未配置" in client.get(f"{REPORT}/").content.decode()
    settings.DRC_ACCEPTING_UNIT_CODE = "913208001234567890"
    assert "承诺受理单位代码未配置" not in client.get(f"{REPORT}/").content.decode()
