"""The archive's background jobs for the operators' metrics (credit_portal.metrics): files and imports.

Both tables hold one row per staff request (thousands, not millions); the counts read only the
unfinished rows' statuses.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from .models import FileJob, FileJobStatus, ImportJob, ImportStatus

#: A file job without a lease (before file jobs held one) counts as stuck once it has run this long.
FILE_JOB_STUCK_AFTER = timedelta(hours=1)


def _lease_expired(now) -> Q:
    return Q(lease_until__lt=now) | Q(lease_until__isnull=True)


def _file_job_stuck(now) -> Q:
    try:
        FileJob._meta.get_field("lease_until")
    except FieldDoesNotExist:
        return Q(created_at__lt=now - FILE_JOB_STUCK_AFTER)
    return _lease_expired(now)


def jobs_metrics() -> Iterable[Metric]:
    """Jobs waiting, running and stuck (running, with a lease run out: its worker is gone), by kind."""
    now = timezone.now()
    labels = ["job", "kind"]
    pending = GaugeMetricFamily("portal_jobs_pending", "Background jobs queued and not yet started", labels=labels)
    running = GaugeMetricFamily("portal_jobs_running", "Background jobs running", labels=labels)
    stuck = GaugeMetricFamily(
        "portal_jobs_stuck", "Running background jobs whose lease ran out (their worker died)", labels=labels
    )
    files = (
        FileJob.objects.filter(status__in=[FileJobStatus.PENDING, FileJobStatus.RUNNING])
        .values("kind")
        .annotate(
            pending=Count("pk", filter=Q(status=FileJobStatus.PENDING)),
            running=Count("pk", filter=Q(status=FileJobStatus.RUNNING)),
            stuck=Count("pk", filter=Q(status=FileJobStatus.RUNNING) & _file_job_stuck(now)),
        )
        .order_by("kind")
    )
    for row in files:
        pending.add_metric(["file", row["kind"]], row["pending"])
        running.add_metric(["file", row["kind"]], row["running"])
        stuck.add_metric(["file", row["kind"]], row["stuck"])
    # A "ready" import waits for staff to confirm it, not for a worker: not counted as pending.
    imports = (
        ImportJob.objects.filter(status=ImportStatus.RUNNING)
        .values("kind")
        .annotate(running=Count("pk"), stuck=Count("pk", filter=_lease_expired(now)))
        .order_by("kind")
    )
    for row in imports:
        running.add_metric(["import", row["kind"]], row["running"])
        stuck.add_metric(["import", row["kind"]], row["stuck"])
    yield from (pending, running, stuck)
