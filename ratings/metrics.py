"""The ratings' figures for the operators' metrics (credit_portal.metrics): impact runs, the nightly run."""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from credit_portal.metrics import timestamp

from .impact import RERUN_AFTER
from .models import ImpactReport, ImpactStatus
from .nightly import nightly_run_last


def ratings_metrics() -> Iterable[Metric]:
    """Impact runs running and stuck (quiet past the re-run delay); the last nightly run's times and state."""
    impact = ImpactReport.objects.filter(status=ImpactStatus.RUNNING).aggregate(
        running=Count("pk"), stuck=Count("pk", filter=Q(active_at__lt=timezone.now() - RERUN_AFTER))
    )
    running = GaugeMetricFamily("portal_jobs_running", "Background jobs running", labels=["job", "kind"])
    running.add_metric(["impact", "ruleset"], impact["running"])
    stuck = GaugeMetricFamily(
        "portal_jobs_stuck", "Running background jobs whose lease ran out (their worker died)", labels=["job", "kind"]
    )
    stuck.add_metric(["impact", "ruleset"], impact["stuck"])
    yield from (running, stuck)

    run = nightly_run_last()
    yield GaugeMetricFamily(
        "portal_nightly_rerate_last_as_of_timestamp_seconds",
        "The date the last nightly re-rating rated as of (local midnight); 0 if none ran",
        value=timestamp(run.as_of if run else None),
    )
    yield GaugeMetricFamily(
        "portal_nightly_rerate_last_started_timestamp_seconds",
        "When the last nightly re-rating started; 0 if none ran",
        value=timestamp(run.started_at if run else None),
    )
    yield GaugeMetricFamily(
        "portal_nightly_rerate_last_finished_timestamp_seconds",
        "When the last nightly re-rating finished its last range; 0 while it runs or if none ran",
        value=timestamp(run.finished_at if run else None),
    )
    yield GaugeMetricFamily(
        "portal_nightly_rerate_last_finished",
        "1 if the last nightly re-rating finished every range, else 0",
        value=int(bool(run and run.finished_at)),
    )
    ranges = GaugeMetricFamily(
        "portal_nightly_rerate_last_ranges", "Ranges of the last nightly re-rating, all and done", labels=["state"]
    )
    ranges.add_metric(["total"], run.ranges_total if run else 0)
    ranges.add_metric(["done"], run.ranges_done.count() if run else 0)
    yield ranges
