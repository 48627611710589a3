"""Building the daily DRC report: claim the date, stream the rows into the files, publish atomically.

- Exactly one report per date: the `DrcReport` row (unique date) is claimed under a row lock with a
  lease; a second build of the date while one runs, or once it is ready, does nothing (`rebuild`
  replaces a ready report).
- Streamed: each sheet is one query read through a server-side cursor in chunks, each row written
  to its CSV and to report.xlsx as it comes; memory does not grow with the data.
- Deterministic: rows ordered by USCC (then code or event id), text rendered by `columns.py`, the
  generation time only in manifest.json, so a rebuild over unchanged data gives identical CSVs.
- Atomic: files are written into a hidden folder under the report root, renamed into place, and the
  row is pointed at them in one transaction; a failed build removes its folder and leaves the
  previous report (if any) as it was.

What goes in: the records that existed by the end of the report date (Asia/Shanghai) — customers
created, events recorded and letters accepted before then — with their current rating and status.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Collate, TruncDate
from django.utils import timezone

from archives.models import CreditEvent, CreditInformation, Customer, PublicCreditReport, RevocationStatus
from archives.models import ReportStatus as PublicReportStatus
from archives.selectors import events_with_publication_status
from commitments.models import CommitmentLetter, LetterStatus, ObjectionSubject
from commitments.selectors import objected_customer_ids
from credit_portal import spreadsheets
from credit_portal.claims import claim, lease_expired
from credit_portal.errors import ApplicationError

from . import columns
from .columns import Sheet
from .dispatch import drc_report_push_queue
from .models import DrcReport, DrcReportStatus, PushStatus
from .push import push_configured, push_grace
from .storage import report_root
from .xlsx import XlsxWriter

logger = logging.getLogger(__name__)


def cutoff_of(report_date: date) -> datetime:
    """The end of the report date in the portal's time zone: what was recorded before it is in."""
    return datetime.combine(report_date + timedelta(days=1), clock.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


# --------------------------------------------------------------------------------------------
# Row sources: one query per sheet, ordered so that the same data gives the same file
# --------------------------------------------------------------------------------------------


def _commitment_rows(report_date: date) -> QuerySet:
    return CommitmentLetter.objects.filter(
        status=LetterStatus.ACCEPTED, decided_at__lt=cutoff_of(report_date)
    ).order_by("customer__uscc", "code", "id")


def _archive_rows(report_date: date) -> QuerySet:
    cutoff = cutoff_of(report_date)
    latest_verified = (
        PublicCreditReport.objects.filter(
            customer=OuterRef("pk"),
            status=PublicReportStatus.VERIFIED,
            issued_on__lte=report_date,
            verified_at__lt=cutoff,
        )
        .order_by("-issued_on")
        .values("issued_on")[:1]
    )
    # 异议 (format 4): a hashed IN over the few open objections per subject, not a subquery per customer.
    objected = {
        f"objected_{name}": Case(
            When(pk__in=objected_customer_ids(subject), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for name, subject in (
            ("level", ObjectionSubject.LEVEL),
            ("arrears", ObjectionSubject.ARREARS),
            ("report", ObjectionSubject.REPORT),
            ("events", ObjectionSubject.EVENT),
        )
    }
    return (
        Customer.objects.filter(created_at__lt=cutoff)
        .annotate(report_issued_on=Subquery(latest_verified), **objected)
        .order_by("uscc")
    )


def _event_rows(report_date: date) -> QuerySet:
    recorded = CreditEvent.objects.filter(recorded_at__lt=cutoff_of(report_date))
    return (
        # 状态 on the report date (format 3): the one place it is computed.
        events_with_publication_status(recorded, on=report_date)
        # The approved revocation, joined (a correlated subquery would be costed for every event and
        # steer PostgreSQL to a plan of random reads): revocation_decide approves at most one per
        # event, since a revoked event takes no further revocation request.
        .annotate(approved=FilteredRelation("revocations", condition=Q(revocations__status=RevocationStatus.APPROVED)))
        .annotate(
            # The local date computed by the database, as text: loading millions of timestamps into
            # aware datetimes costs more than the rest of the row.
            recognised_on=Cast(TruncDate("recorded_at", tzinfo=ZoneInfo(settings.TIME_ZONE)), output_field=CharField()),
            revocation_reason=F("approved__reason"),
        )
        .order_by(_by_code("customer__uscc"), "id")
    )


def _credit_information_rows(report_date: date) -> QuerySet:
    return CreditInformation.objects.filter(recorded_at__lt=cutoff_of(report_date)).order_by(
        _by_code("customer__uscc"), "occurred_on", "id"
    )


def _by_code(field: str):
    """Order by a code of digits and capital letters: on PostgreSQL with byte comparison (COLLATE "C"),
    which gives the same order as any locale for such codes but sorts millions of rows much faster."""
    return Collate(field, "C") if connection.vendor == "postgresql" else F(field)


ROW_SOURCES: dict[str, Callable[[date], QuerySet]] = {
    columns.COMMITMENTS.name: _commitment_rows,
    columns.ARCHIVES.name: _archive_rows,
    columns.EVENTS.name: _event_rows,
    columns.CREDIT_INFORMATION.name: _credit_information_rows,
}


def _renderer(sheet: Sheet) -> Callable[[tuple], list[str]]:
    """A function from a database row (the sheet's fields, in order) to the row's cells.

    It runs once per row of millions, so it is compiled from the declaration into one expression,
    e.g. `lambda row: [(row[0] or ""), c1, l2.get(row[1], row[1] or ""), r3(row[2], row[3]), ...]`,
    with the common renderers written out in place (each equal to its function in columns.py) and no
    call at all for constants. The source is built from field positions, never from data.
    """
    position = {field: index for index, field in enumerate(sheet.fields)}
    namespace: dict[str, object] = {"FORMULA_PREFIXES": spreadsheets.FORMULA_PREFIXES, "MARK": spreadsheets.TEXT_MARK}
    cells: list[str] = []
    for number, column in enumerate(sheet.columns):
        render = column.render
        value = f"row[{position[column.fields[0]]}]" if len(column.fields) == 1 else None
        if not column.fields:
            namespace[f"c{number}"] = render()
            cells.append(f"c{number}")
        elif value and render is columns.plain:
            cells.append(f'({value} or "")')
        elif value and render is columns.free_text:
            cells.append(f'(MARK + v if (v := {value} or "")[:1] in FORMULA_PREFIXES else v)')  # safe_cell
        elif value and render is columns.iso_date:
            cells.append(f'({value}.isoformat() if {value} else "")')
        elif value and hasattr(render, "labels"):
            namespace[f"l{number}"] = render.labels
            cells.append(f'(l{number}.get({value}, {value}) if {value} else "")')
        else:
            namespace[f"r{number}"] = render
            arguments = ", ".join(f"row[{position[field]}]" for field in column.fields)
            cells.append(f"r{number}({arguments})")
    return eval(f"lambda row: [{', '.join(cells)}]", namespace)  # noqa: S307 - trusted, built above


# --------------------------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFiles:
    counts: dict[str, int]
    checksums: dict[str, str]
    sizes: dict[str, int]


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _read_ahead(records: Iterator[tuple], chunk_size: int) -> Iterator[tuple]:
    """The rows of a server-side cursor, the next chunk fetched by a thread while this one writes the
    current: PostgreSQL works on the following rows instead of waiting for the next FETCH.

    The query runs here (the first chunk); the thread then only asks the cursor for more. Nothing
    else uses the connection meanwhile, and the thread is gone before this generator returns.
    """
    first = list(islice(records, chunk_size))
    yield from first
    if len(first) < chunk_size:
        return
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def fetch() -> None:
        try:
            while not stop.is_set():
                chunk = list(islice(records, chunk_size))
                hand_over(chunk)
                if len(chunk) < chunk_size:
                    return
        except BaseException as error:  # raised again in the writing thread
            hand_over(error)

    reader = threading.Thread(target=fetch, name="drc-report-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = chunks.get()
            if isinstance(item, BaseException):
                raise item
            yield from item
            if len(item) < chunk_size:
                return
    finally:
        stop.set()
        reader.join()
        if isinstance(records, Generator):
            records.close()  # closes the cursor if the rows were not all read


def _write_sheet(sheet: Sheet, report_date: date, folder: Path, book: XlsxWriter, chunk_size: int) -> int:
    render = _renderer(sheet)
    records = ROW_SOURCES[sheet.name](report_date).values_list(*sheet.fields).iterator(chunk_size=chunk_size)
    if connection.vendor == "postgresql":  # psycopg connections may be used from another thread
        records = _read_ahead(records, chunk_size)
    with (folder / sheet.file_name).open("w", encoding="utf-8", newline="", buffering=1 << 20) as stream:
        stream.write("\ufeff")  # the BOM that makes Excel read UTF-8 (as utf-8-sig would, but faster)
        writer = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(sheet.headers)

        def rows() -> Iterator[list[str]]:
            for record in records:
                cells = render(record)
                writer.writerow(cells)
                yield cells

        return book.write_sheet(sheet.title, sheet.headers, rows())


@transaction.atomic
def _write_rows(report_date: date, folder: Path, chunk_size: int) -> tuple[dict[str, int], list[str]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if len(connection.atomic_blocks) == 1:
                # One snapshot for the three sheets, so that their counts agree with each other.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Every row is read, so plan for the whole result rather than the first rows (a cursor's
            # default), and give the one big sort (events by USCC) room: a join and a sort instead of
            # millions of random reads.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute(f"SET LOCAL work_mem = '{int(settings.DRC_REPORT_WORK_MEM_MB)}MB'")
    counts: dict[str, int] = {}
    with XlsxWriter(folder / columns.XLSX_NAME) as book:
        for sheet in columns.SHEETS:
            counts[sheet.name] = _write_sheet(sheet, report_date, folder, book, chunk_size)
    return counts, book.sheet_titles


def write_report(
    *, folder: Path, report_date: date, generated_at: datetime, chunk_size: int | None = None
) -> ReportFiles:
    """Write the report of `report_date` into the (new) folder: three CSVs, report.xlsx, manifest.json."""
    folder.mkdir(parents=True)
    counts, sheet_titles = _write_rows(report_date, folder, chunk_size or settings.DRC_REPORT_CHUNK_SIZE)
    data_files = [*(sheet.file_name for sheet in columns.SHEETS), columns.XLSX_NAME]
    with ThreadPoolExecutor(max_workers=2) as pool:  # hashing releases the GIL: two files at a time
        checksums = dict(zip(data_files, pool.map(lambda name: _sha256(folder / name), data_files), strict=True))
    sizes = {name: (folder / name).stat().st_size for name in data_files}
    manifest = {
        "format_version": columns.FORMAT_VERSION,
        "report_date": report_date.isoformat(),
        "generated_at": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "reporting_unit": {"name": columns.reporting_unit_name(), "code": columns.reporting_unit_code()},
        "counts": counts,
        "files": {
            **{
                sheet.file_name: {"sha256": checksums[sheet.file_name], "bytes": sizes[sheet.file_name],
                                  "rows": counts[sheet.name], "columns": sheet.headers}
                for sheet in columns.SHEETS
            },
            columns.XLSX_NAME: {"sha256": checksums[columns.XLSX_NAME], "bytes": sizes[columns.XLSX_NAME],
                                "sheets": sheet_titles},
        },
    }  # fmt: skip
    manifest_path = folder / columns.MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    checksums[columns.MANIFEST_NAME] = _sha256(manifest_path)
    sizes[columns.MANIFEST_NAME] = manifest_path.stat().st_size
    return ReportFiles(counts=counts, checksums=checksums, sizes=sizes)


# --------------------------------------------------------------------------------------------
# Claim, build, publish
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    report: DrcReport
    #: built | exists (ready, not rebuilt) | busy (another build holds the date) | superseded
    outcome: str

    @property
    def built(self) -> bool:
        return self.outcome == "built"


def _claim(report_date: date, *, rebuild: bool) -> tuple[DrcReport, uuid.UUID | None, str]:
    """Take the date for this build, or say why not ("exists", "busy")."""
    with transaction.atomic():
        report, _ = DrcReport.objects.select_for_update().get_or_create(report_date=report_date)
        now = timezone.now()
        claimable = DrcReport.objects.filter(pk=report.pk)
        if not rebuild:
            claimable = claimable.exclude(status=DrcReportStatus.READY)
        token = uuid.uuid4()
        lease = timedelta(seconds=settings.DRC_REPORT_LEASE_SECONDS)
        if not claim(
            claimable, free=Q(claim_token__isnull=True), lease=lease, now=now, claim_token=token, build_started_at=now
        ):
            held = report.claim_token is not None and not lease_expired(report.lease_until, now=now)
            return report, None, "busy" if held else "exists"
        report.refresh_from_db(fields=["claim_token", "lease_until", "build_started_at"])
        return report, token, "claimed"


def _release_failed(report_id: int, token: uuid.UUID, error: BaseException) -> None:
    with transaction.atomic():
        report = DrcReport.objects.select_for_update().get(pk=report_id)
        if report.claim_token != token:
            return
        report.claim_token = None
        report.lease_until = None
        report.failed_at = timezone.now()
        report.last_error = f"{type(error).__name__}: {error}"[:2000]
        if report.status != DrcReportStatus.READY:  # a failed rebuild leaves the previous report in place
            report.status = DrcReportStatus.FAILED
        report.save()


def _remove_stale(day_folder: Path, keep: str) -> None:
    for child in day_folder.iterdir() if day_folder.is_dir() else ():
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True)


def _publish(report_id: int, token: uuid.UUID, staging: Path, files: ReportFiles, generated_at, seconds: float):
    report_date = DrcReport.objects.values_list("report_date", flat=True).get(pk=report_id)
    day_folder = report_root() / report_date.isoformat()
    day_folder.mkdir(parents=True, exist_ok=True)
    final = day_folder / token.hex
    staging.rename(final)  # same file system: the folder appears whole or not at all
    with transaction.atomic():
        report = DrcReport.objects.select_for_update().get(pk=report_id)
        if report.claim_token != token:  # our lease ran out and another build took the date
            shutil.rmtree(final, ignore_errors=True)
            return BuildResult(report, "superseded")
        report.status = DrcReportStatus.READY
        report.folder = f"{report_date.isoformat()}/{token.hex}"
        report.counts = files.counts
        report.checksums = files.checksums
        report.sizes = files.sizes
        report.generated_at = generated_at
        report.build_seconds = round(seconds, 3)
        report.builds += 1
        report.claim_token = None
        report.lease_until = None
        report.last_error = ""
        report.push_status = PushStatus.PENDING if push_configured() else PushStatus.NONE
        report.push_attempts = 0
        report.pushed_at = None
        report.push_lease_until = timezone.now() + push_grace() if push_configured() else None
        report.save()
        keep = token.hex
        transaction.on_commit(lambda: _remove_stale(day_folder, keep))
        if report.push_status == PushStatus.PENDING:
            transaction.on_commit(lambda: drc_report_push_queue(report_id))
    return BuildResult(report, "built")


def drc_report_build(*, report_date: date, rebuild: bool = False, chunk_size: int | None = None) -> BuildResult:
    """Build the full report of `report_date` unless it is ready or being built; `rebuild` replaces a ready one."""
    if report_date > timezone.localdate():
        raise ApplicationError(f"报送日期 {report_date} 晚于今天", field="report_date")
    report, token, outcome = _claim(report_date, rebuild=rebuild)
    if token is None:
        logger.info("DRC report %s not built: %s", report_date, outcome)
        return BuildResult(report, outcome)
    root = report_root()
    root.mkdir(parents=True, exist_ok=True)
    for leftover in root.glob(f".building-{report_date.isoformat()}-*"):  # from builds that died
        shutil.rmtree(leftover, ignore_errors=True)
    staging = root / f".building-{report_date.isoformat()}-{token.hex}"
    started = time.monotonic()
    generated_at = timezone.now()
    try:
        files = write_report(folder=staging, report_date=report_date, generated_at=generated_at, chunk_size=chunk_size)
        result = _publish(report.pk, token, staging, files, generated_at, time.monotonic() - started)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        logger.exception("DRC report %s failed", report_date)
        try:
            _release_failed(report.pk, token, error)
        except Exception:  # the database may be what failed; the lease then runs out on its own
            logger.exception("could not record the failure of DRC report %s", report_date)
        raise
    logger.info(
        "DRC report %s %s: %s in %.1f s", report_date, result.outcome, result.report.counts, time.monotonic() - started
    )
    return result
