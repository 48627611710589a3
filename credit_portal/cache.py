"""The shared cache as an accelerator: Django's Redis cache that carries on when Redis does not answer.

Everything the portal keeps in the cache can be recomputed (permission sets, the dashboard's
figures, the industries list) or must not be believed when it cannot be read (throttle counts, the
WeChat token). So an operation Redis cannot answer is answered as a miss: ``get`` gives the default,
``add`` and ``set`` store nothing, ``incr`` raises ``ValueError`` (what django-ratelimit reads as "could
not count", and refuses). Pages then fall back to the database; what cannot count says so (see
``credit_portal.throttling``).

After a failure the backend does not ask Redis again for ``RETRY_SECONDS`` (a process-local circuit
breaker), so a page that reads the cache five times pays for one refused connection, not five, and a
Redis that hangs costs ``socket_connect_timeout`` once per interval. The first failure and the
recovery are logged once each; ``available()`` tells callers (throttles, /metrics) the breaker's state.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_MISS = object()


def _guarded(fallback):
    """Run the operation unless the breaker is open; a Redis error opens it and gives ``fallback``."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            if not self._may_try():
                return self._fallback(fallback, method.__name__, args, kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self._failed(error)
                return self._fallback(fallback, method.__name__, args, kwargs)
            self._succeeded()
            return result

        return guarded

    return decorate


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` for every operation, and each sets up its ~170 response
    callbacks: a tenth of the rating API's CPU. A ``redis.Redis`` is safe to share (its pool hands out
    the connections), so one is kept per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose every operation survives a Redis outage.

    OPTIONS beyond the redis client's: ``RETRY_SECONDS`` (default 5), how long to stop asking a Redis
    that failed. Short socket timeouts are set unless given, so a hanging Redis cannot hold a page.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5.0))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _OneClientPerPool
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    # -- the breaker ---------------------------------------------------------------------------

    def _may_try(self) -> bool:
        return not self._down or time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._down_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "Cache unavailable (%s): pages fall back to the database, throttles refuse anonymous writes; "
                "retrying every %.0f s",
                error,
                self.retry_seconds,
            )

    def _succeeded(self) -> None:
        if self._down:
            with self._lock:
                was_down, self._down = self._down, False
            if was_down:
                logger.warning("Cache available again")

    def available(self) -> bool:
        """Whether Redis answered the last time it was asked (and is not being left alone after a failure)."""
        return not self._down

    def ping(self) -> bool:
        """Ask Redis now, whatever the breaker says (health checks, metrics); True when it answers."""
        try:
            self._cache.get_client().ping()
        except RedisError as error:
            self._failed(error)
            return False
        self._succeeded()
        return True

    @staticmethod
    def _fallback(fallback, name: str, args: tuple, kwargs: dict):
        if fallback is ValueError:
            raise ValueError(f"cache unavailable: {name} could not be counted")
        if fallback is _MISS:  # get(key, default=None): the caller's default
            return args[1] if len(args) > 1 else kwargs.get("default")
        return fallback() if callable(fallback) else fallback

    # -- the operations ------------------------------------------------------------------------

    @_guarded(_MISS)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_guarded(dict)
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_guarded(False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_guarded(False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_guarded(None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_guarded(False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_guarded(False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_guarded(list)
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_guarded(None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_guarded(ValueError)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_guarded(ValueError)
    def decr(self, key, delta=1, version=None):
        return super().decr(key, delta, version)

    @_guarded(False)
    def clear(self):
        return super().clear()

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        # BaseCache's get_or_set ends with a second get, which a miss-on-outage answers with None:
        # compute and hand back the value instead.
        value = self.get(key, _MISS, version=version)
        if value is _MISS:
            value = default() if callable(default) else default
            if value is not None:
                self.add(key, value, timeout=timeout, version=version)
        return value


def cache_available(alias: str = "default") -> bool:
    """Whether the shared cache answers: always for a process-local cache, the breaker's view for Redis."""
    backend = caches[alias]
    return backend.available() if isinstance(backend, ResilientRedisCache) else True


def cache_ping(alias: str = "default") -> bool:
    """Ask the shared cache now (short timeouts); a process-local cache always answers."""
    backend = caches[alias]
    return backend.ping() if isinstance(backend, ResilientRedisCache) else True
