"""Benchmark of the staff pages and the rating API at a million customers (issue 14; DESIGN.md, Targets).

    .venv/bin/python bench/pages.py [--dsn postgres://…/bench_rerate] [--calls 10] [--api-seconds 20]
                                    [--api-concurrency 8] [--no-api]

Uses the synthetic archive of ``bench/rerate.py`` in the same database (generated there with the same
generator if missing or of other parameters: about 6–7 minutes and 1.9 GB at 1,000,000 customers),
migrated to this checkout (the search indexes of archives 0004 take about a minute to build the first
time). The pages need stored ratings: when fewer than 99 % of the customers have one (a fresh archive, or
after ``bench/rerate.py``, which starts each run from no rating) the go-live re-rate A and the nightly
run B of ``bench/rerate.py`` are run first, on two worker processes (a few minutes).

Then, through Django's test client in this process (DEBUG off, a signed-in staff member), each page of
the issue's table is fetched once to warm up and ``--calls`` times measured: median and p95 of the wall
time, with the process's CPU time and the page's query count beside it. The dashboard is read from the
shared cache as the beat keeps it; the time of one recomputation of its figures (the beat's job) is
printed too.

Last, the rating API under gunicorn (2 sync workers, loopback) driven by ``bench/loadgen.py`` in its own
process: requests per second over ``--api-seconds`` with ``--api-concurrency`` requests in flight, the
latency median and p95, and the CPU seconds of the load generator and of the gunicorn workers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import rerate  # noqa: E402
from bench.common import ensure_database  # noqa: E402

STAFF_USERNAME = "bench-pages-staff"


def prepare(args) -> None:
    """The archive (rerate.py's generator), this checkout's migrations, and stored ratings."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    events = round(args.customers * args.events_per_customer)
    if not rerate.data_matches(args.customers, events):
        print(f"generating {args.customers:,} customers and {events:,} events (bench/rerate.py's generator) …")
        timings = rerate.generate(args.customers, events)
        print("  generated in " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
    from ratings.bulk import DEFAULT_RANGE_SIZE
    from ratings.models import CustomerRating

    if CustomerRating.objects.count() < 0.99 * args.customers:
        later = rerate.BASE_AS_OF + timedelta(days=rerate.LATER_DAYS)
        range_size = DEFAULT_RANGE_SIZE if args.customers >= 8 * DEFAULT_RANGE_SIZE else max(1, args.customers // 8)
        rerate.reset_ratings()
        for label, as_of in (("A", rerate.BASE_AS_OF), ("B", later)):
            print(f"re-rating ({label}, as of {as_of}) so that the pages have ratings …", flush=True)
            figures = rerate.full_rerate(args.dsn, as_of, workers=2, range_size=range_size)
            print(f"  {figures['seconds']:.1f} s, {figures['written']:,} written", flush=True)
    import psycopg

    # As autovacuum leaves a settled table: statistics, and the visibility map of index-only scans.
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def staff_member():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from credit_portal import roles

    user, _ = get_user_model().objects.get_or_create(username=STAFF_USERNAME, defaults={"password": "!"})
    user.groups.add(Group.objects.get(name=roles.STAFF))
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


def subjects() -> dict[str, str]:
    """What the rows look up: a random customer's USCC and prefix, a name part, the busiest customer."""
    from django.db import connection

    from archives.models import Customer

    rng = random.Random(14)
    high = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    customer = Customer.objects.filter(pk__gte=rng.randint(1, high)).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id FROM archives_creditevent GROUP BY customer_id ORDER BY count(*) DESC, customer_id "
            "LIMIT 1"
        )
        busiest = Customer.objects.get(pk=cursor.fetchone()[0])
    digits = str(rng.randint(10, 99))
    return {
        "uscc": customer.uscc,
        "prefix": customer.uscc[:8],
        # Three characters of the synthetic names (淮阴基准企业<n>有限公司): one customer in ~90 matches.
        "name_part": f"业{digits}",
        "busiest": busiest.uscc,
        "busiest_events": str(busiest.events.count()),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_page(client, url: str, calls: int, **extra) -> dict:
    from django.db import connection

    queries = []

    def counting(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        response = client.get(url, **extra)  # the warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times, cpu = [], []
    for _ in range(calls):
        cpu0, started = _cpu(), time.perf_counter()
        response = client.get(url, **extra)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((_cpu() - cpu0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[math.ceil(0.95 * len(times)) - 1],
        "cpu": statistics.median(cpu),
        "queries": len(queries),
        "found": _found(response.content.decode()),
    }


def _found(html: str) -> str:
    """The customer list's own count line (共 N 户 / 约 N 户), if the page has one."""
    match = re.search(r"(共|约) ([\d,]+) 户", html)
    if match is None:
        return ""
    return ("~" if match.group(1) == "约" else "") + f"{int(match.group(2).replace(',', '')):,}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_cpu(pid: int, *, children: bool = False) -> float:
    """CPU seconds of a process (user + system); with ``children``, those of its ended, reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a worker gunicorn has just recycled: counted by its master, below
        return 0.0
    first = 13 if children else 11  # utime, stime / cutime, cstime (proc(5), counted after the name)
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def _gunicorn_cpu(master: int) -> float:
    """CPU seconds of gunicorn's workers: the live ones, plus the ones recycled meanwhile (reaped by the master)."""
    live = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    return sum(_proc_cpu(pid) for pid in live) + _proc_cpu(master, children=True)


def api_under_gunicorn(args, uscc: str, token: str) -> dict:
    port = _free_port()
    # As in production: the shared cache on Redis (the workers' permission sets, throttles).
    env = {**os.environ, "DATABASE_URL": args.dsn, "REDIS_URL": args.redis, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "credit_portal.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        # Both workers booted and past their first requests (lazy imports), before the CPU is read.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/customers/{uscc}/rating/", headers={"Authorization": f"Token {token}"}
        )
        for _ in range(40):
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
        cpu0 = _gunicorn_cpu(server.pid)
        load0 = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, str(REPO / "bench" / "loadgen.py"),
             "--url", f"http://127.0.0.1:{port}/api/customers/{uscc}/rating/",
             "--header", f"Authorization: Token {token}",
             "--concurrency", str(args.api_concurrency), "--seconds", str(args.api_seconds), "--warmup", "3"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        # The workers' CPU includes the generator's 3 s warm-up (requests not counted in the rate).
        result["workers_cpu_s"] = _gunicorn_cpu(server.pid) - cpu0
        result["load"] = (load0, os.getloadavg()[0])
        return result
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", default=rerate.DEFAULT_DSN, help="the bench database (bench…)")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events-per-customer", type=float, default=5.0)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--api-seconds", type=float, default=20.0)
    parser.add_argument("--api-concurrency", type=int, default=8)
    parser.add_argument("--no-api", action="store_true", help="skip the gunicorn run")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="the gunicorn workers' cache (Redis)")
    args = parser.parse_args()
    if not args.dsn.rsplit("/", 1)[1].startswith("bench"):
        parser.error("--dsn must name a bench database (bench…)")
    ensure_database(args.dsn)
    rerate.django_setup(args.dsn)
    print(f"# bench/pages.py — PostgreSQL {args.dsn}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    prepare(args)

    from django.test import Client
    from django.urls import reverse

    from ratings.selectors import dashboard_refresh

    user, token = staff_member()
    subject = subjects()
    data = rerate.describe_data()
    print("archive: " + ", ".join(f"{v:,} {k}" if isinstance(v, int) else f"{k} {v}" for k, v in data.items()))
    client = Client()
    client.force_login(user)
    customers = reverse("archives:customer_list")
    rows = [
        ("customer list, page 1", customers, 100),
        ("customer list, page 2,000", f"{customers}?page=2000", 100),
        (f"search by an exact USCC ({subject['uscc']})", f"{customers}?search={subject['uscc']}", 30),
        (f"search by an 8-character USCC prefix ({subject['prefix']})", f"{customers}?search={subject['prefix']}", 100),
        (f"search by three characters of a name ({subject['name_part']})",
         f"{customers}?search={subject['name_part']}", 150),
        ("filter level = red", f"{customers}?level=red", 100),
        (f"archive page, busiest customer ({subject['busiest_events']} events)",
         reverse("archives:customer_detail", args=[subject["busiest"]]), 100),
        ("rating API for one customer (test client)", f"/api/customers/{subject['uscc']}/rating/", None),
        ("dashboard (figures from the shared cache)", reverse("ratings:dashboard"), 150),
    ]  # fmt: skip
    load0 = os.getloadavg()[0]
    print(f"\n{'page':<62}{'median ms':>11}{'p95 ms':>9}{'CPU ms':>8}{'queries':>9}{'rows':>11}  target p95")
    for label, url, target in rows:
        extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if url.startswith("/api/") else {}
        figures = time_page(client, url, args.calls, **extra)
        found = figures["found"]
        shown = f"≤ {target} ms" if target else "(≥ 300 req/s under gunicorn, below)"
        print(
            f"{label:<62}{figures['median']:>11.1f}{figures['p95']:>9.1f}{figures['cpu']:>8.1f}"
            f"{figures['queries']:>9}{found:>11}  {shown}",
            flush=True,
        )
    started, cpu0 = time.perf_counter(), _cpu()
    dashboard_refresh()
    print(
        f"{'dashboard figures recomputed (the beat, every 5 minutes)':<62}"
        f"{(time.perf_counter() - started) * 1000:>11.1f}{'':>9}{(_cpu() - cpu0) * 1000:>8.1f}"
    )
    print(f"load average (1 min) {load0:.1f} → {os.getloadavg()[0]:.1f}")
    if args.no_api:
        return
    from django.db import connections

    connections.close_all()
    result = api_under_gunicorn(args, subject["uscc"], token)
    print(
        f"\nrating API under gunicorn (2 sync workers, loopback), {result['concurrency']} requests in flight, "
        f"{result['seconds']:.0f} s: {result['rps']:.0f} req/s ({result['requests']:,} answered, "
        f"{result['errors']} errors), latency median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms; "
        f"CPU: load generator {result['cpu_s']:.1f} s, gunicorn workers {result['workers_cpu_s']:.1f} s; "
        f"load average {result['load'][0]:.1f} → {result['load'][1]:.1f}  (target ≥ 300 req/s)"
    )


if __name__ == "__main__":
    main()
