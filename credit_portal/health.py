"""`GET /healthz`: is this process able to serve? For the container's HEALTHCHECK and the compose file.

It answers before any other middleware (no host check, no HTTPS redirect, no session, no login) and
tells only which of its checks failed: the database answers a query, the private storage folder takes
a file, the Celery broker accepts a connection (or tasks run in-process, without one), and the shared
cache answers. No data, no versions, no error texts: the reasons go to the log.

The database and the storage are what a page needs: without either the answer is 503 and the
container is unhealthy. Redis (broker and cache) is an accelerator: pages carry on without it, jobs
wait in their tables for the sweepers, so its failure answers 200 with ``"status": "degraded"`` —
restarting the web container would not bring Redis back. /metrics tells the operators.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in-process: there is no broker to reach
    from credit_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def _cache() -> None:
    from .cache import cache_ping

    if not cache_ping():
        raise ConnectionError("the shared cache does not answer")


def _private_storage() -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "broker": _broker,
    "cache": _cache,
    "private_storage": _private_storage,
}
# Failing these leaves the portal serving, with jobs queued later and no cache: degraded, not down.
DEGRADABLE = frozenset({"broker", "cache"})


def health_report() -> tuple[str, dict[str, str]]:
    """Run every check, each "ok" or "fail"; the status is "ok", "degraded" (only Redis failed) or "fail"."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "fail"
        else:
            results[name] = "ok"
    failed = {name for name, value in results.items() if value != "ok"}
    return ("ok" if not failed else "degraded" if failed <= DEGRADABLE else "fail"), results


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
        status, checks = health_report()
        response = JsonResponse({"status": status, "checks": checks}, status=503 if status == "fail" else 200)
        response["Cache-Control"] = "no-store"
        return response
