"""`GET /metrics`: what operators alert on, in Prometheus's text format (prometheus-client).

Every figure is read when Prometheus scrapes, from the database and the services themselves, so it
is right whichever gunicorn worker answers: no counter lives in a process. credit_portal is the
lowest app and cannot read the others' tables; each app registers the function that yields its
figures here in its AppConfig.ready() (as it registers its queue counts with the navigation). A
collector that fails is reported as `portal_metrics_collector_up{collector=…} 0` and the others
still answer. Families of one name from several apps (the jobs) are merged into one.

Closed to the public: the caller sends `Authorization: Bearer <METRICS_TOKEN>`, compared in constant
time. With no METRICS_TOKEN configured the endpoint does not exist (404 to everyone); a missing or
wrong token answers 401, whoever is signed in. The figures are counts and times, no customer data.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .health import CHECKS

logger = logging.getLogger(__name__)


_COLLECTORS: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_metrics(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """Declare a collector: a function yielding metric families, called at every scrape."""
    _COLLECTORS[name] = collect


def timestamp(moment: datetime | date | None) -> float:
    """Seconds since the epoch (a date: its local midnight); 0 for never, so `time() - x` alerts fire."""
    if moment is None:
        return 0.0
    if not isinstance(moment, datetime):
        moment = timezone.make_aware(datetime(moment.year, moment.month, moment.day))
    return moment.timestamp()


def _cache_up() -> bool:
    """Whether the shared cache answers now (asked past the breaker, with the health check's timeouts)."""
    return _check_passes("cache")


def _broker_up() -> bool:
    return _check_passes("broker")


def _check_passes(name: str) -> bool:
    """One of /healthz's checks, as a 1 or a 0."""
    try:
        CHECKS[name]()
    except Exception:
        logger.warning("metrics: the %s does not answer", name, exc_info=True)
        return False
    return True


def _services() -> Iterable[Metric]:
    yield GaugeMetricFamily(
        "portal_cache_up", "1 if the shared cache (Redis) answers a ping, else 0", value=int(_cache_up())
    )
    yield GaugeMetricFamily(
        "portal_broker_up", "1 if the Celery broker accepts a connection (or tasks run in-process), else 0",
        value=int(_broker_up()),
    )  # fmt: skip


register_metrics("services", _services)


class PortalCollector(Collector):
    """Calls every registered collector at scrape time; one that raises is reported down, not fatal."""

    def describe(self) -> Iterable[Metric]:
        return []  # nothing is read when registering: the database may not be there yet

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "portal_metrics_collector_up", "1 if the collector read its figures, 0 if it failed", labels=["collector"]
        )
        # Apps may add samples to one family (portal_jobs_running of files, imports, impact runs):
        # a name appears once in the exposition.
        merged: dict[str, Metric] = {}
        for name, collect in _COLLECTORS.items():
            try:
                families = list(collect())
            except Exception:
                logger.exception("metrics: collector %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            for family in families:
                if family.name in merged:
                    merged[family.name].samples.extend(family.samples)
                else:
                    merged[family.name] = family
        yield from merged.values()
        yield up


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(PortalCollector())


def _token_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The scrape: 404 unless a token is configured, 401 without it, the figures with it."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not _token_matches(request, token):
        return HttpResponse(
            "401 Unauthorized\n", status=401, content_type="text/plain; charset=utf-8",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
        )  # fmt: skip
    return HttpResponse(
        generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )
