"""The daily DRC report for the operators' metrics (credit_portal.metrics): cheap, the reports are
found through their unique date."""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from credit_portal.metrics import timestamp

from .models import DrcReport, DrcReportStatus, PushStatus


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
