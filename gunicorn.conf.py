"""gunicorn's settings for the portal (`gunicorn -c gunicorn.conf.py credit_portal.wsgi:application`).

Every number comes from the environment, with defaults for the 2-core production machine. Long work
(re-rating the archive, the DRC report, imports) runs in Celery workers, never inside a request, so the
timeout only has to cover the slowest page: one letter PDF, an upload of evidence, a search.
"""

import os

# Only the reverse proxy on this host reaches gunicorn; a container, whose port is published to the host
# alone, sets GUNICORN_BIND=0.0.0.0:8000 (Dockerfile).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# WeasyPrint and large uploads leave memory behind in a worker: recycle workers now and then, at
# staggered moments so that they never all restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Django is imported once in the master and the workers are forked from it: a recycled worker is
# ready in milliseconds instead of re-importing the project (about a second of CPU each time).
# No connection is opened at import time, so none is shared across the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"

# Access and error logs to stdout/stderr, collected by the container runtime.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The reverse proxy in front sets X-Forwarded-For / X-Forwarded-Proto; trust it only from where it runs.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow container filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
