"""A real Redis of a test's own that can be stopped: the outage tests never touch the shared one.

``redis_stopped`` points the cache (the production backend, ``ResilientRedisCache``) and the Celery
broker at a ``redis-server`` the test started, uses it once, and stops it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import override_settings

from credit_portal.celery import app as celery_app

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A redis-server of the test's own, so that stopping it stops nobody else's broker."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what="redis-server")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (CI installs it)")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(redis_server):
    """The production cache backend on the test's own Redis; the breaker retries at once in tests."""
    config = {
        "default": {
            "BACKEND": "credit_portal.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"RETRY_SECONDS": 0},
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]


@pytest.fixture
def redis_stopped(redis_server, redis_cache, settings):
    """Redis answered once (the cache was in use), then stopped: cache and broker both gone."""
    redis_cache.set("warm", 1)
    assert redis_cache.get("warm") == 1
    redis_server.stop()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.task_always_eager = False
    celery_app._pool = celery_app.amqp._producer_pool = None  # no connection kept from another broker
    yield redis_server
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = celery_app.amqp._producer_pool = None
