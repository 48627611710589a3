"""Every page of the URL map, opened by every role that may see it, speaks Chinese: no English text
from Django (its default error pages, form messages, month names, "Forbidden"…) reaches the user.

Each page is taken from the permission matrices of the archive and the enterprise side, plus the
notices, the DRC pages and the pages of this issue; a test checks that together they cover every
named page of the site. Proper names and codes (PDF, Excel, USCC, kV…) are allowed by name.
"""

import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archives.models import FileJob
from notifications.models import Channel, Notice
from ratings.models import RatingHistory
from tests.archives import test_page_permissions as archive_matrix
from tests.commitments import test_page_permissions as commitment_matrix

PERSONAS = ("anonymous", "staff", "supervisor", "drc", "applicant")
TODAY = datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Words in Latin letters a page may show: proper names, codes, units, file types, demo usernames.
ALLOWED = {
    "pdf", "csv", "xlsx", "excel", "zip", "json", "manifest", "sha", "api", "uscc", "url", "http", "https",
    "wechat", "sms", "kv", "kva", "kwh", "ems", "cn", "id", "openapi", "swagger", "redoc", "utf", "bom",
    "jpeg", "jpg", "png", "staff", "supervisor", "applicant", "drc", "other_applicant", "other_supervisor",
    "portal", "test", "password", "pass", "register", "another", "customers", "accounts", "events",
    "uscc_", "name", "number", "type", "occurred_on", "opened_on", "payment_method", "arrears_since",
    "voltage_level", "capacity_kva", "amount_yuan", "voltage_kv", "severity", "description",
    "legal_representative", "contact_person", "contact_phone", "address", "industry", "prepaid", "postpaid",
    "late_payment", "export", "report", "utf-8", "yyyy-mm-dd", "sha-256", "yyyy-mm-dd hh:mm",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.'’-]{2,}")
# Rule ids (red.2, blue.1: staff pages show them; the enterprise's in small print) and file names.
NAMES = re.compile(r"(green|blue|yellow|red|black|unrated)\.\d+|[\w-]+\.(csv|xlsx|json|pdf|zip)", re.IGNORECASE)
# Always wrong, whatever the allow-list says: Django's own English.
DJANGO_ENGLISH = re.compile(
    r"This field is required|Enter a valid|Select a valid choice|Forbidden|Not Found|Server Error|"
    r"Page not found|CSRF verification|Currently:|Change:|a\.m\.|p\.m\.|"
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b|"
    r"\b(Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\.\s"
)


class _Text(HTMLParser):
    """The text a user reads: text nodes outside script/style, and labels read aloud or shown as hints."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def english_in(html: str, *, extra_allowed: set[str] = frozenset()) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    found = [m.group(0) for m in DJANGO_ENGLISH.finditer(text)]
    for match in WORD.finditer(text):
        word = match.group(0).strip(".'’-")
        if NAMES.fullmatch(word):
            continue
        low = word.lower()
        if low in ALLOWED or low in extra_allowed or re.fullmatch(r"[A-Z0-9]{2,}", word):
            continue
        if re.fullmatch(r"(user|[a-z]+_?)\d*", low) and low.rstrip("0123456789") in ALLOWED | {"user"}:
            continue
        found.append(word)
    return found


def _names_of_site() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("api/", "admin/")):
                    continue
                walk(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace])))
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


class Site:
    """Both matrices' data, plus a call, a letter, a DRC report and a file job."""

    def __init__(self, users, customer, other_customer, report_root):
        self.users = users
        self.archive = archive_matrix.Archive(users=users, customer=customer, other_customer=other_customer)
        self.world = commitment_matrix.World(users, customer, other_customer)
        change = RatingHistory.objects.create(
            customer=customer, level="red", previous_level="", computed_level="red", rules=["red.2"],
            as_of=TODAY.date(), rules_version="test", cause="event",
        )  # fmt: skip
        self.call = Notice.objects.create(
            customer=customer, rating_change=change, channel=Channel.CALL, level="red", status="sent", body="您好"
        )
        self.letter = Notice.objects.create(
            customer=customer, rating_change=change, channel=Channel.LETTER, level="red", status="sent",
            reference="淮供营信告〔2025〕000001号", sent_at=TODAY,
        )  # fmt: skip
        from tests.drc.conftest import build_report

        self.report_date = build_report(report_date=TODAY.date()).report.report_date
        self.file_job = FileJob.objects.create(
            kind="customers", title="用户清单导出", download_name="customers.xlsx", status="done",
            created_by=users["staff"],
        )  # fmt: skip
        self.file_job.file.save("customers.xlsx", ContentFile(b"PK"), save=True)


def _extra_pages(site: Site) -> list[tuple[str, str]]:
    """Pages outside both matrices: (name, url)."""
    day = f"{site.report_date:%Y-%m-%d}"
    uscc = site.archive.customer.uscc
    return [
        ("notifications:queues", reverse("notifications:queues")),
        ("notifications:failed_list", reverse("notifications:failed_list")),
        ("notifications:call_list", reverse("notifications:call_list")),
        ("notifications:call_list", reverse("notifications:call_list") + "?done=1"),
        ("notifications:call_record", reverse("notifications:call_record", args=[site.call.pk])),
        ("notifications:letter_list", reverse("notifications:letter_list")),
        ("notifications:letter_delivery", reverse("notifications:letter_delivery", args=[site.letter.pk])),
        ("notifications:message_templates", reverse("notifications:message_templates")),
        ("notifications:my_notices", reverse("notifications:my_notices")),
        ("notifications:reports_running_out", reverse("notifications:reports_running_out")),
        ("drc:reports", reverse("drc:reports")),
        ("drc:report_detail", reverse("drc:report_detail", args=[day])),
        ("drc:archives", reverse("drc:archives") + f"?q={uscc}"),
        ("drc:letters", reverse("drc:letters")),
        ("drc:information_create", reverse("drc:information_create", args=[uscc])),
        ("archives:file_job", reverse("archives:file_job", args=[site.file_job.pk])),
        ("commitments:objection_list", reverse("commitments:objection_list") + "?state=overdue"),
        ("commitments:objection_list", reverse("commitments:objection_list") + "?state=closed"),
        ("commitments:application_queue", reverse("commitments:application_queue") + "?state=closed"),
        ("commitments:registration_list", reverse("commitments:registration_list") + "?state=closed"),
        ("ratings:decision_history", reverse("ratings:decision_history") + "?mine=1"),
        ("not found", "/no-such-page/"),
    ]


# Pages that answer files, redirects or POST-only actions: they are in the map, but not pages to read.
NOT_HTML = {
    "favicon", "logout", "archives:customer_export", "archives:import_sample", "archives:import_start",
    "archives:private_file", "archives:file_job_download", "commitments:letter_pdf",
    "commitments:private_file", "commitments:registration_password_reset", "notifications:letter_pdf",
    "notifications:letters_print", "notifications:notice_retry", "drc:report_file", "drc:report_zip",
    "drc:report_build_today", "notifications:moved_to_drc", "moved_to_drc", "archives:identity_reveal",
    "commitments:account_close",
}  # fmt: skip


@pytest.fixture
def site(time_machine, staff, supervisor, drc, applicant, other_applicant, applicant_customer, other_customer,
         settings, tmp_path):  # fmt: skip
    time_machine.move_to(TODAY, tick=False)
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc-reports")
    settings.DRC_ACCEPTING_UNIT_CODE = "11320804MB0000000X"
    settings.DRC_PUSH_URL = ""
    applicant_customer.contact_phone = "13812345678"
    applicant_customer.save()
    users = {
        "staff": staff, "supervisor": supervisor, "drc": drc, "applicant": applicant,
        "other_applicant": other_applicant,
    }  # fmt: skip
    return Site(users, applicant_customer, other_customer, tmp_path)


def _pages(site: Site) -> list[tuple[str, str]]:
    pages = [(page.name, page.url(site.archive)) for page in archive_matrix.PAGES]
    pages += [(page.name, page.url(site.world)) for page in commitment_matrix.PAGES]
    return pages + _extra_pages(site)


def test_every_page_of_the_url_map_reads_in_chinese_for_every_role_that_may_see_it(client, site):
    failures: list[str] = []
    seen: set[str] = set()
    for persona in PERSONAS:
        if persona != "anonymous":
            client.force_login(site.users[persona])
        else:
            client.logout()
        for name, url in _pages(site):
            if name in NOT_HTML:
                continue
            response = client.get(url)
            if response.status_code in (301, 302, 405):
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            seen.add(name)
            english = english_in(response.content.decode())
            if english:
                failures.append(f"{persona} {url} ({response.status_code}): {sorted(set(english))[:8]}")

    assert not failures, "English on the pages:\n" + "\n".join(failures)
    missing = {n for n in _names_of_site() if n not in NOT_HTML and not n.startswith("admin")} - seen
    assert not missing, f"pages of the URL map never opened as a page by any role: {sorted(missing)}"


def test_the_english_detector_catches_djangos_words():
    assert english_in("<p>This field is required.</p>")
    assert english_in("<p>Nov. 29, 2026, 1:08 p.m.</p>")
    assert english_in("<h1>403 Forbidden</h1>")
    assert not english_in("<p>导出 Excel（XLSX），统一社会信用代码 91320804MA1XXXXX0，10kV，PDF</p>")
