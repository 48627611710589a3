"""Benchmark of the login POST's server time per password hasher (issue 12: Argon2).

    .venv/bin/python bench/login.py [--logins 50] [--warmup 3]

Runs the portal in-process (Django's test client, the production settings module without
DJANGO_ENV, a throw-away SQLite database in a temporary folder) and times `POST /accounts/login/`
with the right password, `--logins` times per hasher: the MD5 of the test settings, PBKDF2 (what
production hashed with before: Django's default first hasher), and Argon2 (first now). Each login
is a fresh client, so the figure includes what a real login does besides hashing: the django-axes
checks and access log, a new session. Prints median and p95 of wall-clock and CPU time (this
process's), and the load average, since other processes on a shared machine stretch wall time.
Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HASHERS = {
    "MD5 (test settings)": "django.contrib.auth.hashers.MD5PasswordHasher",
    "PBKDF2 (before)": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "Argon2 (now)": "django.contrib.auth.hashers.Argon2PasswordHasher",
}
PASSWORD = "Bench-login-2025!"


def _setup(folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "credit_portal.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench-login.sqlite3'}"
    os.environ["PORTAL_PRIVATE_MEDIA_ROOT"] = str(folder / "media")
    os.environ.pop("DJANGO_ENV", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _measure(label: str, hasher: str, *, logins: int, warmup: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import Client, override_settings

    username = f"bench-{hasher.rsplit('.', 1)[1].lower()}"
    with override_settings(PASSWORD_HASHERS=[hasher]):
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.password = make_password(PASSWORD)
        user.save()
        walls, cpus = [], []
        for n in range(warmup + logins):
            client = Client()
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if response.status_code != 302:
                raise SystemExit(f"{label}: login answered {response.status_code}, not 302")
            if n >= warmup:
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
    return {
        "wall_median": statistics.median(walls),
        "wall_p95": _percentile(walls, 0.95),
        "cpu_median": statistics.median(cpus),
        "cpu_p95": _percentile(cpus, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=50, help="timed logins per hasher")
    parser.add_argument("--warmup", type=int, default=3, help="untimed logins first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-login-") as folder:
        _setup(Path(folder))
        from django.conf import settings

        print(f"{args.logins} logins per hasher; load average {os.getloadavg()[0]:.1f}")
        print(f"production PASSWORD_HASHERS[0]: {settings.PASSWORD_HASHERS[0]}")
        print(f"{'hasher':<22} {'wall median':>12} {'wall p95':>10} {'CPU median':>11} {'CPU p95':>9}  (ms)")
        for label, hasher in HASHERS.items():
            figures = _measure(label, hasher, logins=args.logins, warmup=args.warmup)
            print(
                f"{label:<22} {figures['wall_median']:>12.1f} {figures['wall_p95']:>10.1f}"
                f" {figures['cpu_median']:>11.1f} {figures['cpu_p95']:>9.1f}"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
