"""Reads for the DRC officers' pages and API: reports by date, an archive search page, letters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from archives.models import Customer, EventStatus, ReportStatus
from commitments.models import CommitmentLetter, LetterStatus
from commitments.selectors import letters_search, letters_visible_to

from .columns import FILE_NAMES
from .models import DrcReport, DrcReportPush, DrcReportStatus
from .storage import report_folder


def drc_reports() -> QuerySet[DrcReport]:
    return DrcReport.objects.order_by("-report_date")


def drc_report_by_date(value: str) -> DrcReport:
    """The report of an ISO date from a URL; 404 for a malformed date or a date without a report."""
    try:
        report_date = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise Http404("日期格式应为 YYYY-MM-DD") from None
    report = DrcReport.objects.filter(report_date=report_date).first()
    if report is None:
        raise Http404("该日期没有报送文件")
    return report


@dataclass(frozen=True)
class ReportFile:
    name: str
    bytes: int
    sha256: str


def report_files(report: DrcReport) -> list[ReportFile]:
    """The files of a ready report, in their fixed order; none while it is building or failed."""
    if report_folder(report) is None:
        return []
    return [ReportFile(name, report.sizes.get(name, 0), report.checksums.get(name, "")) for name in FILE_NAMES]


def report_file_path(report: DrcReport, name: str):
    """The path of one of the report's files; 404 for any other name or a report not ready."""
    folder = report_folder(report)
    if folder is None or name not in FILE_NAMES:
        raise Http404("没有该文件")
    path = folder / name
    if not path.is_file():
        raise Http404("没有该文件")
    return path


def report_pushes(report: DrcReport) -> QuerySet[DrcReportPush]:
    return report.pushes.order_by("-started_at", "-id")


def ready_report_dates(limit: int = 1) -> list[date]:
    return list(
        DrcReport.objects.filter(status=DrcReportStatus.READY)
        .order_by("-report_date")
        .values_list("report_date", flat=True)[:limit]
    )


# --------------------------------------------------------------------------------------------
# The archive search page: one row per customer of the page, with what the DRC looks for
# --------------------------------------------------------------------------------------------


@dataclass
class ArchiveRow:
    customer: Customer
    events_in_force: int = 0
    events_total: int = 0
    latest_report_on: date | None = None
    letters: list[CommitmentLetter] = field(default_factory=list)


def drc_archive_rows(customers: list[Customer]) -> list[ArchiveRow]:
    """Counts and latest dates for the customers of one page (three queries, whatever the archive's size)."""
    ids = [customer.pk for customer in customers]
    events = {
        row["pk"]: row
        for row in Customer.objects.filter(pk__in=ids)
        .values("pk")
        .annotate(
            total=Count("events"),
            in_force=Count("events", filter=Q(events__status=EventStatus.IN_FORCE)),
        )
    }
    reports = dict(
        Customer.objects.filter(pk__in=ids, reports__status=ReportStatus.VERIFIED)
        .values("pk")
        .annotate(latest=Max("reports__issued_on"))
        .values_list("pk", "latest")
    )
    letters: dict[int, list[CommitmentLetter]] = {}
    for letter in CommitmentLetter.objects.filter(customer_id__in=ids, status=LetterStatus.ACCEPTED).order_by(
        "committed_on", "code"
    ):
        letters.setdefault(letter.customer_id, []).append(letter)
    return [
        ArchiveRow(
            customer=customer,
            events_in_force=events.get(customer.pk, {}).get("in_force", 0),
            events_total=events.get(customer.pk, {}).get("total", 0),
            latest_report_on=reports.get(customer.pk),
            letters=letters.get(customer.pk, []),
        )
        for customer in customers
    ]


def drc_letters(*, user, status: str = "", search: str = "") -> QuerySet[CommitmentLetter]:
    """Commitment letters the user may read, filtered by status and searched by USCC, code or name."""
    letters = letters_visible_to(user)
    if status in LetterStatus.values:
        letters = letters.filter(status=status)
    return letters_search(letters, search).order_by("-uploaded_at", "-id")
