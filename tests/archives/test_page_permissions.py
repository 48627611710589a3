"""Who may open which page: every page URL × every persona, with the exact answer expected.

Anonymous visitors are sent to the login page; staff and supervisors work every archive page (only
supervisors decide revocations and overrides); DRC officers read archives but write nothing; an
applicant sees only its own enterprise (another enterprise's pages are 404, not 403, so USCCs cannot
be probed) and no staff page. A refused write leaves the database exactly as it was.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from io import BytesIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from archives import services
from archives.models import (
    CreditEvent,
    CreditInformation,
    Customer,
    ElectricityAccount,
    EventRevocation,
    ImportJob,
    PublicCreditReport,
)
from ratings import rules
from ratings.models import CustomerRating, ImpactReport, LevelOverride, RuleSet
from tests.factories import PDF_BYTES, AccountFactory, EventFactory, ReportFactory, make_uscc

PERSONAS = ("anonymous", "staff", "supervisor", "drc", "applicant", "other_applicant")
TODAY = datetime(2025, 6, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
YELLOW1_WORDING = "拖欠电费1个月及以上3个月以内"
PHONE, MASKED_PHONE = "13812345678", "138****5678"

# Expected answers that depend on the URL or on who asks; anything else is a status code.
TO_LOGIN = "→ login"
TO_CUSTOMER_LIST = "→ customer list"
TO_OWN_HOME = "→ own enterprise"
TO_ADMIN_LOGIN = "→ admin login"


def _access(anonymous=TO_LOGIN, staff=200, supervisor=200, drc=403, applicant=403, other_applicant=403) -> dict:
    return {
        "anonymous": anonymous,
        "staff": staff,
        "supervisor": supervisor,
        "drc": drc,
        "applicant": applicant,
        "other_applicant": other_applicant,
    }


PUBLIC = _access(anonymous=200, drc=200, applicant=200, other_applicant=200)
READ_ALL = _access(drc=200)  # read pages over every archive: the DRC reads, applicants may not
# Pages of `applicant_customer`: its own applicant sees them, the other enterprise's applicant gets 404.
ARCHIVE = _access(drc=200, applicant=200, other_applicant=404)
STAFF = _access()  # write pages and staff tools
SUPERVISOR = _access(staff=403)  # the second person of the two-person rule
HOME = _access(
    anonymous=200,  # the public 信用+供电服务 page is the landing page of anonymous visitors
    staff=TO_CUSTOMER_LIST,
    supervisor=TO_CUSTOMER_LIST,
    drc=TO_CUSTOMER_LIST,
    applicant=TO_OWN_HOME,
    other_applicant=TO_OWN_HOME,
)
POST_ONLY = _access(staff=405, supervisor=405)  # GET of a POST-only staff action
LOGOUT_GET = dict.fromkeys(PERSONAS, 405)  # Django 5 logs out by POST only
ADMIN = dict.fromkeys(PERSONAS, TO_ADMIN_LOGIN)  # no persona of the portal is a Django admin
# Rule sets and their impact reports: supervisors draft and approve, DRC officers read, staff do not see them.
RULE_SETS_READ = _access(staff=403, drc=200)
RULE_SETS_POST_ONLY = _access(staff=403, supervisor=405)


class Archive:
    """The data every page needs, built on first use.

    `applicant_customer` has an account, an event with an evidence file, a pending report and room
    for a new revocation or override; `other_customer` has an event with a pending revocation and a
    pending override, both requested by `staff` so that `supervisor` may decide them.
    """

    def __init__(self, *, users: dict, customer: Customer, other_customer: Customer):
        self.users = users
        self.customer = customer
        self.other_customer = other_customer
        self.account = AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
        self.event = EventFactory(
            customer=customer,
            recorded_by=users["staff"],
            evidence=factory.django.FileField(filename="e.pdf", data=PDF_BYTES),
        )
        self.report = ReportFactory(customer=customer, uploaded_by=users["staff"])
        AccountFactory(customer=other_customer, opened_on=date(2019, 1, 1))
        other_event = EventFactory(
            customer=other_customer,
            recorded_by=users["staff"],
            evidence=factory.django.FileField(filename="e.pdf", data=PDF_BYTES),
        )
        ReportFactory(customer=other_customer, uploaded_by=users["staff"])
        self.revocation = services.revocation_request(event=other_event, reason="重复录入", actor=users["staff"])

    @cached_property
    def override(self) -> LevelOverride:
        from ratings import services as rating_services

        # Lowering the level (from 未定级): a reason is enough; a raise would need its basis (issue 22).
        return rating_services.override_request(
            customer=self.other_customer,
            level="yellow",
            reason="整改到位",
            ends_on=date(2025, 12, 31),
            actor=self.users["staff"],
        )

    @cached_property
    def file_job(self):
        from django.core.files.base import ContentFile

        from archives.models import FileJob

        job = FileJob.objects.create(
            kind="customers",
            title="用户清单导出",
            download_name="customers.xlsx",
            status="done",
            created_by=self.users["staff"],
        )
        job.file.save("customers.xlsx", ContentFile(b"PK"), save=True)
        return job

    @cached_property
    def draft(self) -> RuleSet:
        """A draft rule set (yellow.1 from 2 months to 1) drafted by nobody here, so `supervisor` may approve it."""
        parameters = copy.deepcopy(rules.V1_PARAMETERS)
        parameters["yellow.1"]["arrears_months"] = 1
        return RuleSet.objects.create(version=2, parameters=parameters, wordings={"yellow.1": YELLOW1_WORDING})

    @cached_property
    def impact(self) -> ImpactReport:
        from ratings.impact import impact_range_run, impact_start

        report = impact_start(proposed=self.draft, as_of=TODAY.date(), actor=self.users["supervisor"])
        for part in report.ranges.all():
            impact_range_run(range_id=part.pk)
        report.refresh_from_db()
        return report

    @cached_property
    def import_job(self) -> ImportJob:
        from archives.services import imports

        return imports.import_preview(kind="customers", upload=_customers_csv(), actor=self.users["staff"])


def _customers_csv() -> SimpleUploadedFile:
    content = f"uscc,name\r\n{make_uscc(777_001)},淮阴戊导入有限公司\r\n".encode()
    return SimpleUploadedFile("customers.csv", content, content_type="text/csv")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Archive], str]
    access: dict
    # The valid form a permitted persona would send; None: not a write page.
    payload: Callable[[Archive], dict] | None = None
    id: str = ""
    writer: str = "staff"

    @property
    def test_id(self) -> str:
        return self.id or self.name.split(":")[-1]


def _url(name: str, *args) -> Callable[[Archive], str]:
    def build(archive: Archive) -> str:
        return reverse(name, args=[arg(archive) if callable(arg) else arg for arg in args])

    return build


def _rule_set_form(**changes) -> dict:
    """The draft form as the page fills it (the numbers in force), with ``changes``."""
    data = {"note": "测试"}
    for criterion, fields in rules.V1_PARAMETERS.items():
        for field, value in fields.items():
            data[f"{criterion}__{field}"] = ", ".join(map(str, value)) if isinstance(value, list) else value
    return {**data, **changes}


def _uscc(archive: Archive) -> str:
    return archive.customer.uscc


PAGES = [
    Page("home", _url("home"), HOME),
    Page("login", _url("login"), PUBLIC),
    Page("ratings:credit_services", _url("ratings:credit_services"), PUBLIC),
    Page("logout", _url("logout"), LOGOUT_GET),
    Page("archives:customer_list", _url("archives:customer_list"), READ_ALL),
    Page("archives:customer_export", _url("archives:customer_export"), READ_ALL),
    # A generated file is its starter's own: anyone else gets 404.
    Page(
        "archives:file_job",
        _url("archives:file_job", lambda a: a.file_job.pk),
        _access(supervisor=404, drc=404, applicant=404, other_applicant=404),
    ),
    Page(
        "archives:file_job_download",
        _url("archives:file_job_download", lambda a: a.file_job.pk),
        _access(supervisor=404, drc=404, applicant=404, other_applicant=404),
    ),
    Page(
        "archives:customer_create",
        _url("archives:customer_create"),
        STAFF,
        lambda a: {"uscc": make_uscc(777_002), "name": "淮阴丁新建有限公司", "contact_phone": "13900000000"},
    ),
    Page("archives:customer_detail", _url("archives:customer_detail", _uscc), ARCHIVE),
    # The audit trail: on a page of its own, for those who read every archive.
    Page("archives:customer_history", _url("archives:customer_history", _uscc), READ_ALL),
    # The full number on request (staff, logged): a POST; tested in test_identity_documents.
    Page(
        "archives:identity_reveal",
        _url("archives:identity_reveal", _uscc),
        _access(staff=405, supervisor=405, drc=405, applicant=405, other_applicant=405),
    ),
    Page(
        "archives:customer_edit",
        _url("archives:customer_edit", _uscc),
        STAFF,
        lambda a: {"uscc": a.customer.uscc, "name": "淮阴甲电器（改名）有限公司", "contact_phone": "13900000001"},
    ),
    Page(
        "archives:account_create",
        _url("archives:account_create", _uscc),
        STAFF,
        lambda a: {
            "number": "3208049999",
            "opened_on": "2019-05-01",
            "payment_method": "prepaid",
            "voltage_level": "10kV",
            "capacity_kva": "100",
        },
    ),
    Page(
        "archives:account_edit",
        _url("archives:account_edit", lambda a: a.account.number),
        STAFF,
        lambda a: {
            "number": a.account.number,
            "opened_on": "2018-01-01",
            "payment_method": "postpaid",
            "arrears_since": "2025-01-10",
            "voltage_level": "10kV",
            "capacity_kva": "400",
        },
    ),
    Page(
        "archives:event_create",
        _url("archives:event_create", _uscc),
        STAFF,
        lambda a: {
            "type": "theft",
            "occurred_on": "2025-05-20",
            "amount_yuan": "120000",
            "description": "现场查获",
            "evidence": _pdf("evidence.pdf"),
        },
    ),
    Page(
        "archives:report_upload",
        _url("archives:report_upload", _uscc),
        STAFF,
        lambda a: {"issued_on": "2025-06-01", "file": _pdf("report.pdf"), "shows_dishonesty": "no"},
    ),
    Page(
        "archives:information_create",
        _url("archives:information_create", _uscc),
        STAFF,
        lambda a: {"kind": "note", "title": "主动报告用电安全隐患", "occurred_on": "2025-03-01"},
    ),
    Page(
        "archives:revocation_request",
        _url("archives:revocation_request", lambda a: a.event.pk),
        STAFF,
        lambda a: {"reason": "录入有误"},
    ),
    Page("archives:revocation_list", _url("archives:revocation_list"), SUPERVISOR),
    Page(
        "archives:revocation_decide",
        _url("archives:revocation_decide", lambda a: a.revocation.pk),
        SUPERVISOR,
        lambda a: {"decision": "approve", "note": "核实无误"},
        writer="supervisor",
    ),
    Page("archives:report_queue", _url("archives:report_queue"), STAFF),
    Page(
        "archives:report_verify",
        _url("archives:report_verify", lambda a: a.report.pk),
        STAFF,
        lambda a: {"shows_dishonesty": "no", "note": "已核验"},
    ),
    Page(
        "archives:private_file",
        _url("archives:private_file", "evidence", lambda a: a.event.pk),
        ARCHIVE,
        id="evidence_file",
    ),
    Page(
        "archives:private_file",
        _url("archives:private_file", "report", lambda a: a.report.pk),
        ARCHIVE,
        id="report_file",
    ),
    Page(
        "archives:import_list",
        _url("archives:import_list"),
        STAFF,
        lambda a: {"kind": "customers", "file": _customers_csv()},
    ),
    Page("archives:import_detail", _url("archives:import_detail", lambda a: a.import_job.pk), STAFF),
    Page(
        "archives:import_start",
        _url("archives:import_start", lambda a: a.import_job.pk),
        POST_ONLY,
        lambda a: {},
    ),
    Page("archives:import_sample", _url("archives:import_sample", "customers"), STAFF),
    Page("ratings:standards", _url("ratings:standards"), PUBLIC),
    Page("ratings:dashboard", _url("ratings:dashboard"), READ_ALL),
    Page("ratings:what_if", _url("ratings:what_if", _uscc), STAFF),
    Page(
        "ratings:override_request",
        _url("ratings:override_request", _uscc),
        STAFF,
        lambda a: {"level": "yellow", "ends_on": "2025-12-31", "reason": "营销系统欠费数据待核实，经班组研究"},
    ),
    Page("ratings:override_list", _url("ratings:override_list"), SUPERVISOR),
    # The override of this world rests on no court decision: nothing to serve, to those who may look.
    Page(
        "ratings:override_document",
        _url("ratings:override_document", lambda a: a.override.pk),
        _access(staff=404, supervisor=404),
    ),
    Page("ratings:my_requests", _url("ratings:my_requests"), STAFF),
    Page("ratings:decision_history", _url("ratings:decision_history"), SUPERVISOR),
    Page(
        "ratings:override_decide",
        _url("ratings:override_decide", lambda a: a.override.pk),
        SUPERVISOR,
        lambda a: {"decision": "approve", "note": "同意"},
        writer="supervisor",
    ),
    Page("ratings:rule_set_list", _url("ratings:rule_set_list"), RULE_SETS_READ),
    Page(
        "ratings:rule_set_new",
        _url("ratings:rule_set_new"),
        SUPERVISOR,
        lambda a: _rule_set_form(
            **{"yellow.1__arrears_months": 1, "wording__yellow.1": "拖欠电费1个月及以上3个月以内"}
        ),
        writer="supervisor",
    ),
    Page("ratings:rule_set_detail", _url("ratings:rule_set_detail", lambda a: a.draft.version), RULE_SETS_READ),
    Page(
        "ratings:rule_set_approve",
        _url("ratings:rule_set_approve", lambda a: a.draft.version),
        RULE_SETS_POST_ONLY,
        lambda a: {"effective_on": "2025-06-17"},
        writer="supervisor",
    ),
    Page(
        "ratings:impact_new",
        _url("ratings:impact_new", lambda a: a.draft.version),
        RULE_SETS_POST_ONLY,
        lambda a: {"as_of": "2025-06-16", "baseline": ""},
        writer="supervisor",
    ),
    Page("ratings:impact_detail", _url("ratings:impact_detail", lambda a: a.impact.pk), RULE_SETS_READ),
    Page(
        "ratings:impact_cell",
        _url("ratings:impact_cell", lambda a: a.impact.pk, "blue", "yellow"),
        RULE_SETS_READ,
    ),
    Page("ratings:impact_export", _url("ratings:impact_export", lambda a: a.impact.pk), RULE_SETS_READ),
    Page("ratings:override_end", _url("ratings:override_end", lambda a: a.override.pk), SUPERVISOR),
    Page("admin:index", _url("admin:index"), ADMIN),
]
WRITE_PAGES = [page for page in PAGES if page.payload is not None]


@pytest.fixture
def archive(time_machine, staff, supervisor, drc, applicant, other_applicant, applicant_customer, other_customer):
    time_machine.move_to(TODAY, tick=False)
    applicant_customer.contact_phone = PHONE
    applicant_customer.save()
    users = {
        "staff": staff,
        "supervisor": supervisor,
        "drc": drc,
        "applicant": applicant,
        "other_applicant": other_applicant,
    }
    return Archive(users=users, customer=applicant_customer, other_customer=other_customer)


def _client_as(client, archive: Archive, persona: str):
    if persona != "anonymous":
        client.force_login(archive.users[persona])
    return client


def _url_of(page: Page, archive: Archive) -> str:
    try:
        return page.url(archive)
    except NoReverseMatch:
        pytest.fail(f"{page.name} is in the permission matrix but no longer routed", pytrace=False)


def _expected_location(expected: str, url: str) -> str:
    if expected == TO_LOGIN:
        return f"/accounts/login/?next={quote(url)}"
    if expected == TO_CUSTOMER_LIST:
        return reverse("archives:customer_list")
    if expected == TO_OWN_HOME:
        return reverse("commitments:enterprise_home")  # the enterprise's own pages: no USCC in the URL
    if expected == TO_ADMIN_LOGIN:
        return f"/admin/login/?next={quote(url)}"
    raise AssertionError(expected)


def _assert_answer(response, expected, *, url: str, persona: str, method: str = "GET") -> None:
    where = f"{method} {url} as {persona}"
    if isinstance(expected, int):
        assert response.status_code == expected, f"{where}: got {response.status_code}, expected {expected}"
    else:
        location = _expected_location(expected, url)
        got = (response.status_code, response.get("Location"))
        assert got == (302, location), f"{where}: got {got}, expected (302, {location!r})"


def _database_state() -> dict:
    """Every row a page could write, with the fields the pages change."""
    return {
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "uscc", "name", "contact_phone")),
        "accounts": list(
            ElectricityAccount.objects.order_by("pk").values_list(
                "pk", "number", "opened_on", "payment_method", "arrears_since", "capacity_kva"
            )
        ),
        "events": list(CreditEvent.objects.order_by("pk").values_list("pk", "type", "status", "amount_yuan")),
        "reports": list(PublicCreditReport.objects.order_by("pk").values_list("pk", "status", "shows_dishonesty")),
        "revocations": list(EventRevocation.objects.order_by("pk").values_list("pk", "status", "decided_by")),
        "information": list(CreditInformation.objects.order_by("pk").values_list("pk", "title")),
        "overrides": list(LevelOverride.objects.order_by("pk").values_list("pk", "status", "decided_by")),
        "imports": list(ImportJob.objects.order_by("pk").values_list("pk", "status", "processed_rows")),
        "ratings": list(CustomerRating.objects.order_by("customer_id").values_list("customer_id", "level")),
        "rule_sets": list(RuleSet.objects.order_by("pk").values_list("pk", "status", "effective_on")),
        "impacts": list(ImpactReport.objects.order_by("pk").values_list("pk", "status")),
    }


def _counts(state: dict) -> dict:
    return {table: len(rows) for table, rows in state.items()}


@pytest.mark.parametrize(
    ("page", "persona"),
    [pytest.param(page, persona, id=f"{page.test_id}-{persona}") for page in PAGES for persona in PERSONAS],
)
def test_each_persona_gets_the_expected_answer_from_each_page(client, archive, page, persona):
    url = _url_of(page, archive)

    response = _client_as(client, archive, persona).get(url)

    _assert_answer(response, page.access[persona], url=url, persona=persona)


def _refused_posts():
    for page in WRITE_PAGES:
        for persona in PERSONAS:
            expected = page.access[persona]
            if expected == TO_LOGIN or (isinstance(expected, int) and expected in (403, 404)):
                yield pytest.param(page, persona, id=f"{page.test_id}-{persona}")


@pytest.mark.parametrize(("page", "persona"), list(_refused_posts()))
def test_a_refused_post_is_answered_as_the_get_and_changes_nothing(
    client, archive, django_capture_on_commit_callbacks, page, persona
):
    url = _url_of(page, archive)
    payload = page.payload(archive)
    before = _database_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client_as(client, archive, persona).post(url, payload)

    after = _database_state()
    answered = f"POST {url} as {persona} (answered {response.status_code})"
    assert _counts(after) == _counts(before), f"{answered} changed the row counts"
    assert after == before, f"{answered} changed the database"
    _assert_answer(response, page.access[persona], url=url, persona=persona, method="POST")


@pytest.mark.parametrize("page", [pytest.param(page, id=page.test_id) for page in WRITE_PAGES])
def test_the_same_post_from_the_persona_allowed_to_write_is_accepted(
    client, archive, django_capture_on_commit_callbacks, page
):
    """The control of the test above: its payloads are valid, so a refusal there is the permission's doing."""
    url = _url_of(page, archive)
    payload = page.payload(archive)
    before = _database_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client_as(client, archive, page.writer).post(url, payload)

    assert response.status_code == 302, f"POST {url} as {page.writer}: got {response.status_code}"
    assert _database_state() != before


def test_a_logout_by_post_ends_the_session_and_returns_to_the_login_page(client, archive):
    client.force_login(archive.users["drc"])

    response = client.post(reverse("logout"))

    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert client.get(reverse("archives:customer_list"))["Location"].startswith("/accounts/login/")


# The enterprise side, the notices and the DRC side open records of their own (letters, applications,
# notices, daily reports); their pages get a matrix built on that data, next to their tests
# (tests/drc/test_drc_pages.py for drc:). Every other page must be listed in PAGES.
OUTSIDE_THIS_MATRIX = ("commitments:", "notifications:", "drc:")


def _page_url_names() -> set[str]:
    """Every named page of the site: the root URLconf and the apps it includes, minus the API and the admin."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("api/", "admin/")):
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_of_the_site_is_in_the_permission_matrix():
    names = {name for name in _page_url_names() if not name.startswith(OUTSIDE_THIS_MATRIX)}
    missing = names - {page.name for page in PAGES}

    assert not missing, f"pages without expected answers per persona: {sorted(missing)}"


@pytest.mark.parametrize(("persona", "shown", "hidden"), [("drc", MASKED_PHONE, PHONE), ("staff", PHONE, MASKED_PHONE)])
def test_the_customer_list_masks_the_contact_phone_except_for_staff(client, archive, persona, shown, hidden):
    response = _client_as(client, archive, persona).get(reverse("archives:customer_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert shown in page
    assert hidden not in page


@pytest.mark.parametrize(("persona", "shown"), [("drc", MASKED_PHONE), ("staff", PHONE)])
def test_the_customer_export_masks_the_contact_phone_except_for_staff(
    client, archive, persona, shown, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = _client_as(client, archive, persona).post(reverse("archives:customer_export"), {})
    response = client.get(started["Location"] + "download/")

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    phone = rows[0].index("联系电话")
    row = next(row for row in rows[1:] if row[0] == archive.customer.uscc)
    assert row[phone] == shown


@pytest.mark.parametrize(("persona", "shown", "hidden"), [("drc", MASKED_PHONE, PHONE), ("staff", PHONE, MASKED_PHONE)])
def test_the_audit_trail_masks_the_contact_phone_for_whoever_sees_it_masked(client, archive, persona, shown, hidden):
    from archives import services

    services.customer_update(customer=archive.customer, actor=archive.users["staff"], contact_phone="13700001111")
    services.customer_update(customer=archive.customer, actor=archive.users["staff"], contact_phone=PHONE)

    response = _client_as(client, archive, persona).get(
        reverse("archives:customer_history", args=[archive.customer.uscc])
    )

    page = response.content.decode()
    history = page[page.index('id="h-history"') :]
    assert shown in history
    assert hidden not in page
    assert ("13700001111" in history) is (persona == "staff")
    assert ("137****1111" in history) is (persona == "drc")


def test_the_audit_trail_masks_an_enterprise_user_named_by_its_mobile_number(client, archive):
    from archives import services
    from tests.factories import UserFactory

    clerk = UserFactory(username="13655556666", first_name="")
    clerk.groups.add(*archive.users["staff"].groups.all())
    services.customer_update(customer=archive.customer, actor=clerk, address="淮阴区长江东路1号")

    page = (
        _client_as(client, archive, "drc")
        .get(reverse("archives:customer_history", args=[archive.customer.uscc]))
        .content.decode()
    )

    assert "13655556666" not in page
    assert "136****6666" in page
