"""The notices' outbox for the operators' metrics (credit_portal.metrics).

Cheap at a million customers: the counts read the unsent and failed notices through the index that
leads with the status, the oldest waiting notice of a channel is the first entry of the queue index
(channel, status, created_at).
"""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

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
