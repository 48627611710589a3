"""Uploading a ready report to the configured target (DRC_PUSH_URL), one recorded attempt at a time.

The report's zip is POSTed as `application/zip` with `Authorization: Bearer <DRC_PUSH_TOKEN>`, the
report date, and the zip's SHA-256 as `Idempotency-Key` (the same files always give the same zip,
so a receiver recognises a repeated upload). 2xx is success; a timeout, a connection failure,
408, 429 or 5xx is worth another try after a back-off (the task schedules it); any other answer
is final. Only one push of a report runs at a time: it is claimed with a conditional UPDATE and a
lease, and a sweeper (beat, every ten minutes) queues again what a dead worker or a lost retry
left behind once that lease has run out. Every attempt is a DrcReportPush row; the token is sent,
never stored.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from credit_portal.claims import claim
from credit_portal.gateway import GatewayError, client
from credit_portal.retries import backoff_for, retry_settings

from .bundle import write_zip, zip_name
from .dispatch import drc_report_push_queue
from .models import DrcReport, DrcReportPush, DrcReportStatus, PushOutcome, PushStatus
from .storage import report_folder

_EXCERPT = 2000


def push_configured() -> bool:
    return bool(settings.DRC_PUSH_URL)


def push_backoff(attempt: int) -> float:
    """Seconds before the next try after `attempt` failed ones (the shared back-off, the push's settings)."""
    return backoff_for("drc_report_push", attempt=attempt)


def _max_attempts() -> int:
    return retry_settings("drc_report_push")["MAX_ATTEMPTS"]


def _display_target(url: str) -> str:
    """The target without credentials or query, as recorded and shown."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True)
class PushResult:
    #: pushed | retry (a transient failure, try again in `countdown` seconds) | failed (final) | skipped
    outcome: str
    attempt: int = 0
    message: str = ""
    countdown: float = 0.0

    @property
    def retry(self) -> bool:
        return self.outcome == "retry"


class _Transient(Exception):
    pass


class _Final(Exception):
    pass


def push_grace() -> timedelta:
    """How long past its due time a push may wait before the sweeper queues it again."""
    return timedelta(seconds=settings.DRC_PUSH_TIMEOUT * 2 + 300)


def _claim(report_id: int) -> bool:
    return bool(
        claim(
            DrcReport.objects.filter(pk=report_id, status=DrcReportStatus.READY),
            free=Q(push_status=PushStatus.PENDING),
            held=Q(push_status=PushStatus.SENDING),
            lease=push_grace(),
            lease_field="push_lease_until",
            push_status=PushStatus.SENDING,
            push_attempts=F("push_attempts") + 1,
        )
    )


def _post(path: Path, size: int, *, report: DrcReport, digest: str) -> tuple[int, str]:
    headers = {
        "Authorization": f"Bearer {settings.DRC_PUSH_TOKEN}",
        "Content-Type": "application/zip",
        "Content-Length": str(size),
        "Content-Disposition": f'attachment; filename="{zip_name(report.report_date)}"',
        "X-Report-Date": report.report_date.isoformat(),
        "X-Content-SHA256": digest,
        "Idempotency-Key": digest,
    }
    try:
        with path.open("rb") as body:  # streamed from disk, with its length
            answer = client.request(
                "POST", settings.DRC_PUSH_URL, timeout=settings.DRC_PUSH_TIMEOUT, body=body, headers=headers
            )
    except GatewayError as error:
        if error.status is None:
            raise _Transient(f"无法送达：{error.reason}", None, "") from error
        excerpt = error.body[:_EXCERPT].decode("utf-8", "replace")
        raise (_Transient if error.transient else _Final)(f"HTTP {error.status}", error.status, excerpt) from error
    return answer.status, answer.body[:_EXCERPT].decode("utf-8", "replace")


def drc_report_push(*, report_id: int) -> PushResult:
    """Make one attempt to upload the report, recorded as a DrcReportPush row; says whether to retry."""
    if not push_configured():
        return PushResult("skipped", message="未配置推送地址")
    if not _claim(report_id):
        return PushResult("skipped", message="报送文件未就绪、已推送或正由其他进程推送")
    report = DrcReport.objects.get(pk=report_id)
    attempt = DrcReportPush.objects.create(
        report=report,
        attempt=report.push_attempts,
        target=_display_target(settings.DRC_PUSH_URL),
        started_at=timezone.now(),
    )
    http_status, excerpt, error_text, final = None, "", "", False
    try:
        if not settings.DRC_PUSH_TOKEN:
            raise _Final("未配置推送令牌（DRC_PUSH_TOKEN）", None, "")
        folder = report_folder(report)
        with tempfile.TemporaryDirectory(prefix="drc-push-") as scratch:
            path = Path(scratch) / zip_name(report.report_date)
            with path.open("wb") as stream:
                write_zip(folder, stream)
            with path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            size = path.stat().st_size
            attempt.archive_sha256, attempt.bytes_sent = digest, size
            http_status, excerpt = _post(path, size, report=report, digest=digest)
        outcome = PushOutcome.SUCCEEDED
    except (_Transient, _Final) as error:
        error_text, http_status, excerpt = error.args
        outcome = PushOutcome.FAILED
        final = isinstance(error, _Final) or report.push_attempts >= _max_attempts()
    except OSError as error:  # the report's files could not be read: worth another try
        error_text, outcome = f"读取报送文件失败：{error}", PushOutcome.FAILED
        final = report.push_attempts >= _max_attempts()
    with transaction.atomic():
        attempt.outcome = outcome
        attempt.http_status = http_status
        attempt.response_excerpt = excerpt
        attempt.error = error_text
        attempt.finished_at = timezone.now()
        attempt.save()
        due = None
        if outcome == PushOutcome.SUCCEEDED:
            status, result = PushStatus.PUSHED, PushResult("pushed", attempt.attempt)
        elif final:
            status, result = PushStatus.FAILED, PushResult("failed", attempt.attempt, error_text)
        else:
            countdown = push_backoff(attempt.attempt)
            status, result = PushStatus.PENDING, PushResult("retry", attempt.attempt, error_text, countdown)
            # The sweeper queues it again if the scheduled retry has not come by then.
            due = attempt.finished_at + timedelta(seconds=countdown) + push_grace()
        # Only the holder of this push's claim updates the report (a rebuild may have reset it).
        DrcReport.objects.filter(pk=report_id, push_status=PushStatus.SENDING).update(
            push_status=status,
            push_lease_until=due,
            pushed_at=attempt.finished_at if status == PushStatus.PUSHED else None,
        )
    return result


def drc_report_push_sweep() -> list[int]:
    """Queue again the pushes nobody is working on: a retry that never came (broker down), a worker
    that died while sending (its lease ran out). Returns the report ids queued."""
    if not push_configured():
        return []
    overdue = (
        DrcReport.objects.filter(status=DrcReportStatus.READY, push_status__in=[PushStatus.PENDING, PushStatus.SENDING])
        .filter(Q(push_lease_until__lt=timezone.now()) | Q(push_lease_until__isnull=True))
        .values_list("pk", flat=True)
    )
    report_ids = list(overdue)
    if report_ids:
        for report_id in report_ids:
            drc_report_push_queue(report_id)
    return report_ids
