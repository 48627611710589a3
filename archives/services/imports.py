"""The marketing-system import (营销系统导入): a preview that lists every bad row, then the import.

How the import pass writes, and why:

1. It claims the job with `UPDATE … WHERE status='ready'`, so a double click or a redelivered task
   never imports a file twice.
2. It validates the whole file again against the database as it is now (the preview may be days
   old). If anything is wrong the job goes back to `invalid` with the errors and nothing is written.
   (An XLSX upload was stored as the CSV of its first sheet by the preview: both passes read fast.)
3. It writes batches of `BATCH_SIZE` rows, each batch in its own transaction that also sets
   `processed_rows`. Progress is therefore visible to the progress page as soon as a batch commits
   and is exactly the number of rows written; each batch re-checks its rows (under row locks for
   upserts) so that a concurrent change is caught, not overwritten. One transaction around the
   whole file was rejected: on SQLite a second connection cannot write (nor publish progress)
   while it is open, and on PostgreSQL it would hold locks on every touched customer and account
   for the whole import.
   Since the file was just validated, a batch can only fail for reasons outside the file (database
   down, a concurrent edit); then the job is marked `failed` with the rows already written and
   the last file line they reach (`summary.last_line`), and the page says what that means.
   Customers and accounts are upserts, so importing the same file again is safe; for events only
   the lines after the ones written should be imported.
4. Once the data is in, the job announces the affected customers (`archives.signals.facts_imported`,
   cause "import"); ratings re-rates them set-based in its receiver. Should that fail, the job is
   still `done` (the data must not be imported twice) with `summary.rerate_error`, and the job sweep
   announces an events import's customers again until it succeeds (`import_announce_again`); the
   nightly re-rate catches up the ratings of the other kinds.

A running job beats (`lease_until`, renewed with every checked chunk and written batch, see
`credit_portal.claims`). A worker killed mid-import (not an exception) stops beating: once its lease
has run out the job shows as stalled, the sweeper (`archives.services.jobs.jobs_sweep`) queues it again
(and staff may start it again), and the import is taken over and resumes after the rows already
written (`processed_rows` commits with each batch).
"""

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from itertools import islice
from pathlib import PurePath

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from credit_portal.claims import claim, lease_renew
from credit_portal.errors import ApplicationError
from credit_portal.queueing import enqueue_after_commit

from ..dispatch import import_run_queue
from ..import_checks import CHECKERS, AccountRow, CustomerRow, EventRow, lookup_chunk
from ..importing import COLUMNS, as_csv, open_table
from ..importing import detect_format as detect_import_format
from ..models import (
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventSource,
    ImportJob,
    ImportKind,
    ImportStatus,
)
from ..publication import class_thresholds, publication_fields
from ..selectors import industries_forget
from ..signals import facts_imported

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
#: How long a running import may go without a heartbeat before it counts as stalled.
LEASE = timedelta(minutes=10)
# bulk_update writes one CASE per field whose cost grows with the square of the rows per statement.
UPDATE_BATCH_SIZE = 250
CHANGE_REASON = "营销系统导入"
_CENT = Decimal("0.01")
ACCOUNT_FIELDS = ["opened_on", "payment_method", "arrears_since", "voltage_level", "capacity_kva"]


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_permission(actor) -> None:
    if not actor.has_perm("archives.import_archives"):
        raise ApplicationError("只有营业厅工作人员可以从营销系统导入")


def _validate(*, kind: str, fileobj, fmt: str, heartbeat=None) -> tuple[int, list[dict]]:
    """Check the whole file; returns the number of data rows and every error, writing nothing."""
    table = open_table(kind=kind, fileobj=fileobj, fmt=fmt)
    errors = list(table.errors)
    required = {column.code for column in COLUMNS[kind] if column.required}
    if not table.codes or not required <= set(table.codes):
        return 0, errors  # without the required columns every row would fail: the header says it all
    checker = CHECKERS[kind](today=timezone.localdate())
    total = 0
    for chunk in _chunked(table.rows, BATCH_SIZE):
        total += len(chunk)
        errors.extend(checker.check(chunk)[1])
        if heartbeat is not None:
            heartbeat()
    if total == 0:
        errors.append({"line": None, "field": None, "message": "文件中没有数据行"})
    return total, errors


def import_preview(*, kind: str, upload: UploadedFile, actor) -> ImportJob:
    """Store an uploaded file and check every row; the job is `ready` when the file is clean, else `invalid`."""
    _check_permission(actor)
    if kind not in ImportKind.values:
        raise ApplicationError("请选择导入类型", field="kind")
    fmt = detect_import_format(upload)
    # An XLSX sheet is stored as the CSV it reads as: the stored file is exactly what gets imported,
    # and the import pass reads it at csv-module speed rather than parsing the workbook again.
    with as_csv(upload, fmt) as (rows, fmt):
        total, errors = _validate(kind=kind, fileobj=rows, fmt=fmt)
        job = ImportJob(
            kind=kind, original_name=(upload.name or "")[-255:], total_rows=total, errors=errors,
            created_by=actor, status=ImportStatus.INVALID if errors else ImportStatus.READY,
        )  # fmt: skip
        rows.seek(0)
        job.file.save(f"import.{fmt}", rows if isinstance(rows, File) else File(rows, name=f"import.{fmt}"), save=False)
    job.save()
    return job


def import_start(*, job: ImportJob, actor) -> None:
    """Queue the import of a `ready` (or stalled) job once this request's transaction commits."""
    _check_permission(actor)
    if job.status != ImportStatus.READY and not job.stalled:
        raise ApplicationError(f"该导入任务当前状态为“{job.get_status_display()}”，不能开始导入", field="job")
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())
    enqueue_after_commit(lambda: import_run_queue(job.pk), what=f"import job {job.pk}")


def import_run(*, job_id: int) -> ImportJob | None:
    """Import a `ready` job batch by batch (see the module docstring), or resume a stalled one.

    Any other job (done, or running with a live heartbeat) is left alone.
    """
    claimed = claim(
        ImportJob.objects.filter(pk=job_id),
        free=Q(status=ImportStatus.READY),
        held=Q(status=ImportStatus.RUNNING),
        lease=LEASE,
        status=ImportStatus.RUNNING,
    )
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    fmt = PurePath(job.file.name).suffix.lstrip(".")
    try:
        with job.file.open("rb") as fileobj:
            total, errors = _validate(kind=job.kind, fileobj=fileobj, fmt=fmt, heartbeat=_heartbeat(job))
            if errors:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.INVALID,
                    total_rows=total,
                    errors=errors,
                    finished_at=timezone.now(),
                    lease_until=None,
                )
                job.refresh_from_db()
                return job
            summary, affected = _write(job=job, fileobj=fileobj, fmt=fmt)
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        job.refresh_from_db()
        message = error.message if isinstance(error, ApplicationError) else f"{type(error).__name__}: {error}"
        job.status = ImportStatus.FAILED
        job.finished_at = timezone.now()
        job.lease_until = None
        job.summary = {**job.summary, "error": message}
        job.save(update_fields=["status", "finished_at", "lease_until", "summary"])
        return job
    try:
        summary["rerated"] = _rerate(affected, job_id=job.pk)
    except Exception:
        # The data is in and must not be imported again: the job sweep announces an events import again
        # (its records name their customers); the nightly re-rate catches up the other kinds.
        logger.exception("re-rating after import job %s failed", job.pk)
        summary[RERATE_ERROR] = "数据已全部写入，但重新评定信用等级时出错，" + (
            "系统将自动重试" if job.kind == ImportKind.EVENTS else "将在每日重新评定时补上"
        )
    job.refresh_from_db()
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    job.lease_until = None
    job.summary = summary
    job.save(update_fields=["status", "finished_at", "lease_until", "summary"])
    return job


def _write(*, job: ImportJob, fileobj, fmt: str) -> tuple[dict, set[int]]:
    """Write the (already validated) file in batches; each batch commits with its progress.

    A resumed job skips the rows a previous worker wrote (``processed_rows``) and keeps its counts.
    """
    table = open_table(kind=job.kind, fileobj=fileobj, fmt=fmt)
    checker = CHECKERS[job.kind](today=timezone.localdate())
    writer = WRITERS[job.kind]
    processed = job.processed_rows
    counts: Counter = Counter({key: job.summary.get(key, 0) for key in ("created", "updated", "unchanged")})
    affected: set[int] = set()
    for chunk in _chunked(islice(table.rows, processed, None), BATCH_SIZE):
        with transaction.atomic():
            # Checked again in the transaction: the references must hold as the rows are written.
            rows, errors = checker.check(chunk)
            if errors:
                first = errors[0]
                raise ApplicationError(f"第 {first['line']} 行在校验后发生变化：{first['message']}")
            batch_counts, batch_affected = writer(rows, actor=job.created_by, job=job)
            processed += len(chunk)
            summary = {key: counts[key] + batch_counts.get(key, 0) for key in ("created", "updated", "unchanged")}
            summary["last_line"] = chunk[-1][0]  # tells the user where to resume should a later batch fail
            lease_renew(ImportJob.objects.filter(pk=job.pk), lease=LEASE, processed_rows=processed, summary=summary)
        counts.update(batch_counts)
        affected |= batch_affected
    return {key: counts[key] for key in ("created", "updated", "unchanged")}, affected


def _locked(model, field: str, keys: list[str]) -> dict:
    """The existing rows for `keys`, locked until the batch commits (no lost update from a staff edit)."""
    found = {}
    size = lookup_chunk()
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        found.update(
            (getattr(obj, field), obj) for obj in model.objects.select_for_update().filter(**{f"{field}__in": chunk})
        )
    return found


def _write_customers(rows: list[CustomerRow], *, actor, job: ImportJob) -> tuple[dict, set[int]]:
    existing = _locked(Customer, "uscc", [row.uscc for row in rows])
    now = timezone.now()
    new, changed = [], []
    for row in rows:
        customer = existing.get(row.uscc)
        if customer is None:
            new.append(Customer(uscc=row.uscc, **row.fields))
        elif any(getattr(customer, key) != value for key, value in row.fields.items()):
            for key, value in row.fields.items():
                setattr(customer, key, value)
            customer.updated_at = now
            changed.append(customer)
    created = bulk_create_with_history(new, Customer, default_user=actor, default_change_reason=CHANGE_REASON)
    if changed:
        fields = [*rows[0].fields, "updated_at"]
        bulk_update_with_history(
            changed,
            Customer,
            fields,
            batch_size=UPDATE_BATCH_SIZE,
            default_user=actor,
            default_change_reason=CHANGE_REASON,
        )
    if new or changed:
        transaction.on_commit(industries_forget)
    counts = {"created": len(new), "updated": len(changed), "unchanged": len(rows) - len(new) - len(changed)}
    # Name and contact details are not rating facts: only a new customer needs its (first) rating.
    return counts, {customer.pk for customer in created}


def _write_accounts(rows: list[AccountRow], *, actor, job: ImportJob) -> tuple[dict, set[int]]:
    existing = _locked(ElectricityAccount, "number", [row.number for row in rows])
    now = timezone.now()
    new, changed = [], []
    for row in rows:
        account = existing.get(row.number)
        values = {**row.values, "capacity_kva": row.values["capacity_kva"].quantize(_CENT)}
        if account is not None and account.customer_id != row.customer_id:  # opened by staff meanwhile
            raise ApplicationError(f"第 {row.line} 行：户号 {row.number} 刚由其他用户建立，导入不能变更户主")
        if account is None:
            new.append(ElectricityAccount(customer_id=row.customer_id, number=row.number, **values))
        elif any(getattr(account, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(account, key, value)
            account.updated_at = now
            changed.append(account)
    bulk_create_with_history(new, ElectricityAccount, default_user=actor, default_change_reason=CHANGE_REASON)
    if changed:
        bulk_update_with_history(
            changed, ElectricityAccount, [*ACCOUNT_FIELDS, "updated_at"], batch_size=UPDATE_BATCH_SIZE,
            default_user=actor, default_change_reason=CHANGE_REASON,
        )  # fmt: skip
    counts = {"created": len(new), "updated": len(changed), "unchanged": len(rows) - len(new) - len(changed)}
    return counts, {account.customer_id for account in (*new, *changed)}


def _write_events(rows: list[EventRow], *, actor, job: ImportJob) -> tuple[dict, set[int]]:
    found_on = timezone.localdate()
    thresholds = class_thresholds(on=found_on)
    events = [
        CreditEvent(
            customer_id=row.customer_id,
            type=row.type,
            occurred_on=row.occurred_on,
            description=row.description,
            source=EventSource.IMPORT,
            import_job=job,
            recorded_by=actor,
            **row.attributes,
            **publication_fields(type=row.type, found_on=found_on, thresholds=thresholds, **row.attributes),
        )  # fmt: skip
        for row in rows
    ]
    bulk_create_with_history(events, CreditEvent, default_user=actor, default_change_reason=CHANGE_REASON)
    return {"created": len(events)}, {row.customer_id for row in rows}


WRITERS = {
    ImportKind.CUSTOMERS: _write_customers,
    ImportKind.ACCOUNTS: _write_accounts,
    ImportKind.EVENTS: _write_events,
}


def _heartbeat(job: ImportJob):
    return lambda: lease_renew(ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING), lease=LEASE)


#: What an import whose announcement failed keeps in its summary until the sweeper announces it again.
RERATE_ERROR = "rerate_error"


def import_announce_again(*, job_id: int) -> bool:
    """Announce again the customers of a finished events import whose announcement failed (the re-rating,
    the breach letters and the telling that follow it): the job sweep's repair, at the depth of the
    failure. The job is locked while it is announced (a second sweeper skips it), the error goes once it
    succeeds; should it fail again, the error stays for the next sweep. Returns whether it was announced."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, kind=ImportKind.EVENTS, status=ImportStatus.DONE, summary__has_key=RERATE_ERROR)
            .first()
        )
        if job is None:
            return False
        customers = set(CreditEvent.objects.filter(import_job_id=job.pk).values_list("customer_id", flat=True))
        try:
            with transaction.atomic():
                rerated = _rerate(customers, job_id=job.pk)
        except Exception:
            logger.exception("announcing import job %s again failed", job.pk)
            return False
        summary = {key: value for key, value in job.summary.items() if key != RERATE_ERROR}
        ImportJob.objects.filter(pk=job.pk).update(summary={**summary, "rerated": rerated})
        return True


def _rerate(customer_ids: set[int], *, job_id: int) -> int:
    """Announce the customers whose facts the import changed (ratings re-rates them); returns how many."""
    if not customer_ids:
        return 0
    facts_imported.send(sender=None, customer_ids=customer_ids, cause="import", ref=f"import:{job_id}")
    return len(customer_ids)
