"""`GET /healthz`: is this process able to serve? For the container's HEALTHCHECK and the compose file.

It answers before any other middleware (no host check, no HTTPS redirect, no session, no login) and
tells only which of its three checks failed: the database answers a query, the Celery broker accepts a
connection (or tasks run in-process, without one), and the private storage folder takes a file.
No data, no versions, no error texts: the reasons go to the log.
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


def _private_storage() -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "broker": _broker, "private_storage": _private_storage}


def health_report() -> tuple[bool, dict[str, str]]:
    """Run every check; each is "ok" or "fail"."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
        healthy, checks = health_report()
        body = {"status": "ok" if healthy else "fail", "checks": checks}
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response
