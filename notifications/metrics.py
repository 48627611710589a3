"""The notices' outbox and the DRC report for the operators' metrics (credit_portal.metrics).

Cheap at a million customers: the counts read the unsent and failed notices through the index that
leads with the status, the oldest waiting notice of a channel is the first entry of the queue index
(channel, status, created_at), and the reports are found through their unique date.
"""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from credit_portal.metrics import timestamp

from .drc.models import DrcReport, DrcReportStatus, PushStatus
from .models import Channel, Notice, NoticeStatus


def outbox_metrics() -> Iterable[Metric]:
    """Notices waiting and failed by channel and kind, the oldest waiting one's age, sends left by a dead worker."""
    now = timezone.now()
    labels = ["channel", "kind"]
    pending = GaugeMetricFamily(
        "portal_notices_pending", "Notices waiting to be sent (retries included)", labels=labels
    )
    failed = GaugeMetricFamily(
        "portal_notices_failed", "Notices whose sending failed for good (staff work)", labels=labels
    )
    rows = (
        Notice.objects.filter(status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED])
        .values("status", "channel", "kind")
        .annotate(n=Count("pk"))
        .order_by("status", "channel", "kind")
    )
    for row in rows:
        family = pending if row["status"] == NoticeStatus.PENDING else failed
        family.add_metric([row["channel"], row["kind"]], row["n"])
    yield from (pending, failed)

    oldest = GaugeMetricFamily(
        "portal_notices_oldest_pending_age_seconds",
        "Age of the oldest notice waiting, per channel (0: none)",
        labels=["channel"],
    )
    for channel in Channel.values:
        created = (
            Notice.objects.filter(channel=channel, status=NoticeStatus.PENDING)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        oldest.add_metric([channel], (now - created).total_seconds() if created else 0)
    yield oldest

    expired = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    yield GaugeMetricFamily(
        "portal_notices_sending_stuck",
        "Notices a worker claimed and never finished (lease run out; the sweeper takes them back)",
        value=Notice.objects.filter(expired, status=NoticeStatus.SENDING).count(),
    )


def drc_report_metrics() -> Iterable[Metric]:
    """The latest report to the DRC: its date and state, when the last good one was built and pushed."""
    now = timezone.now()
    latest = DrcReport.objects.order_by("-report_date").first()
    built = DrcReport.objects.filter(status=DrcReportStatus.READY).order_by("-report_date").first()
    running = GaugeMetricFamily("portal_jobs_running", "Background jobs running", labels=["job", "kind"])
    stuck = GaugeMetricFamily(
        "portal_jobs_stuck", "Running background jobs whose lease ran out (their worker died)", labels=["job", "kind"]
    )
    building = DrcReport.objects.filter(status=DrcReportStatus.BUILDING).aggregate(
        running=Count("pk"), stuck=Count("pk", filter=Q(lease_until__lt=now) | Q(lease_until__isnull=True))
    )
    running.add_metric(["drc_report", "build"], building["running"])
    stuck.add_metric(["drc_report", "build"], building["stuck"])
    yield from (running, stuck)

    yield GaugeMetricFamily(
        "portal_drc_report_last_date_timestamp_seconds",
        "Date of the latest DRC report row, whatever its state (local midnight); 0 if none",
        value=timestamp(latest.report_date if latest else None),
    )
    state = GaugeMetricFamily(
        "portal_drc_report_last_status", "State of the latest DRC report (1 for its state)", labels=["status"]
    )
    for value in DrcReportStatus.values:
        state.add_metric([value], int(bool(latest and latest.status == value)))
    yield state
    yield GaugeMetricFamily(
        "portal_drc_report_last_built_date_timestamp_seconds",
        "Date of the latest DRC report built (ready); 0 if none",
        value=timestamp(built.report_date if built else None),
    )
    yield GaugeMetricFamily(
        "portal_drc_report_last_built_timestamp_seconds",
        "When the latest built DRC report was generated; 0 if none",
        value=timestamp(built.generated_at if built else None),
    )
    push = GaugeMetricFamily(
        "portal_drc_report_last_push_status",
        "Push state of the latest built DRC report (1 for its state; none: no push target configured)",
        labels=["status"],
    )
    for value in PushStatus.values:
        push.add_metric([value or "none"], int(bool(built and built.push_status == value)))
    yield push
    yield GaugeMetricFamily(
        "portal_drc_report_last_pushed_timestamp_seconds",
        "When the latest built DRC report was pushed; 0 if not (yet)",
        value=timestamp(built.pushed_at if built else None),
    )
