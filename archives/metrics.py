"""The archive's background jobs for the operators' metrics (credit_portal.metrics): files and imports.

Both tables hold one row per staff request (thousands, not millions); the counts read only the
unfinished rows' statuses.
"""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from .models import FileJob, FileJobStatus, ImportJob, ImportStatus


def _lease_expired(now) -> Q:
    return Q(lease_until__lt=now) | Q(lease_until__isnull=True)


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
            stuck=Count("pk", filter=Q(status=FileJobStatus.RUNNING) & _lease_expired(now)),
        )
        .order_by("kind")
    )
    for row in files:
        pending.add_metric(["file", row["kind"]], row["pending"])
        running.add_metric(["file", row["kind"]], row["running"])
        stuck.add_metric(["file", row["kind"]], row["stuck"])
    # A "ready" import waits for staff to start it, not for a worker: pending only once started (queued_at).
    imports = (
        ImportJob.objects.filter(Q(status=ImportStatus.RUNNING) | Q(status=ImportStatus.READY, queued_at__isnull=False))
        .values("kind")
        .annotate(
            pending=Count("pk", filter=Q(status=ImportStatus.READY)),
            running=Count("pk", filter=Q(status=ImportStatus.RUNNING)),
            stuck=Count("pk", filter=Q(status=ImportStatus.RUNNING) & _lease_expired(now)),
        )
        .order_by("kind")
    )
    for row in imports:
        pending.add_metric(["import", row["kind"]], row["pending"])
        running.add_metric(["import", row["kind"]], row["running"])
        stuck.add_metric(["import", row["kind"]], row["stuck"])
    yield from (pending, running, stuck)
