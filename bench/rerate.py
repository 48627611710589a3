"""Benchmark of the nightly re-rating on PostgreSQL (DESIGN.md, Targets).

    .venv/bin/python bench/rerate.py [--customers 1000000] [--runs 3] [--workers 2]

Generates a synthetic archive (customers, accounts, events over five years, reports, overrides)
with generate_series in its own database ``bench_rerate`` (created and migrated if missing; data
reused while its parameters match), then per run measures:

A. the full re-rate as of a date with no stored ratings (every rating new);
B. the full re-rate 30 days later (windows slide, arrears age: a few per cent change);
C. the same again (idempotent: must write nothing);
D. a per-customer ORM loop (``ratings.services.rating_refresh``) over a 10,000-customer sample;
E. re-rating one customer after a new event (``rating_refresh``), median of 100 calls.

The full re-rates run ``ratings.bulk.rerate_range`` in ``--workers`` processes of this machine,
which stand in for Celery workers taking range tasks from the queue one at a time. Each figure is
printed per run with the median of the runs. Nothing outside the bench database is touched.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import ensure_database, event_type_sql, uscc_sql  # noqa: E402

DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/bench_rerate"
GENERATOR_VERSION = 3  # 3: events carry their class and publication periods
#: The first evaluation date (run A); run B is 30 days later, both in the past of the data's clock.
BASE_AS_OF = date(2026, 10, 29)
LATER_DAYS = 30
SEED = 0.20211  # setseed() of the generating session: the same data on every machine

# Event types with their share of the events; the rare ones mark a customer black for a year.
EVENT_MIX = (
    ("late_payment", 0.46),
    ("unauthorized_use", 0.08),
    ("theft", 0.02),
    ("safety_hazard_unrectified", 0.14),
    ("meter_fault_refusal", 0.07),
    ("grid_outage", 0.05),
    ("facility_damage", 0.015),
    ("malicious_complaint", 0.02),
    ("dishonesty", 0.13),
    ("protection_zone_violation", 0.005),
    ("orderly_use_refusal", 0.005),
    ("order_disruption", 0.005),
)


# --------------------------------------------------------------------------------------------
# Set-up: database, Django, data
# --------------------------------------------------------------------------------------------


def django_setup(dsn: str) -> None:
    """Django on the bench database, without DEBUG's query log.

    Celery is not eager: the notices that level changes call for are written and queued, on the
    in-memory transport standing in for Redis, but not sent (sending is the notice workers' job).
    """
    os.environ["DATABASE_URL"] = dsn
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")
    import django

    django.setup()


def generate(customers: int, events: int) -> dict[str, float]:
    """Fill the bench database with a synthetic archive; returns seconds per step."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from archives.publication import fill_unclassed_sql

    timings: dict[str, float] = {}
    n, as_of = customers, BASE_AS_OF
    eventful = max(1, n // 2)  # half of the customers never have an event
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("TRUNCATE archives_customer RESTART IDENTITY CASCADE")
        cur.execute("TRUNCATE ratings_leveloverride, ratings_historicalleveloverride RESTART IDENTITY CASCADE")
    user_model = get_user_model()
    staff, _ = user_model.objects.get_or_create(username="bench-staff", defaults={"password": "!"})
    boss, _ = user_model.objects.get_or_create(username="bench-supervisor", defaults={"password": "!"})
    steps = {
        "customers": f"""
            INSERT INTO archives_customer (id, uscc, name, legal_representative, contact_person, contact_phone,
                                           address, industry, created_at, updated_at,
                                           legal_representative_id_type, legal_representative_id_number)
            SELECT i, {uscc_sql("lpad(i::text, 9, '0')")}, '淮阴基准企业' || i || '有限公司', '张三', '李四',
                   '138' || lpad((i % 100000000)::text, 8, '0'), '江苏省淮安市淮阴区长江东路' || (i % 999 + 1) || '号',
                   (ARRAY['制造业','批发和零售业','建筑业','住宿和餐饮业','信息技术服务业','农业'])[1 + i % 6],
                   now(), now(), '', ''
              FROM generate_series(1, {n}) AS i;
            SELECT setval(pg_get_serial_sequence('archives_customer', 'id'), {n});
        """,
        # One account each, a second for one customer in five; 55 % prepaid; 6 % in arrears.
        "accounts": f"""
            INSERT INTO archives_electricityaccount (customer_id, number, opened_on, payment_method, arrears_since,
                                                     voltage_level, capacity_kva, created_at, updated_at)
            SELECT c, '320804' || lpad(row_number() OVER ()::text, 10, '0'),
                   date '2000-01-01' + (random() * 8000)::int,
                   CASE WHEN random() < 0.55 THEN 'prepaid' ELSE 'postpaid' END,
                   CASE WHEN random() < 0.06 THEN date '{as_of}' - (random() * 240)::int END,
                   (ARRAY['0.4kV','0.4kV','10kV','10kV','20kV','35kV'])[1 + (random() * 5)::int],
                   round((random() * 2000)::numeric, 2), now(), now()
              FROM (SELECT i AS c FROM generate_series(1, {n}) AS i
                    UNION ALL
                    SELECT i FROM generate_series(1, {n}) AS i WHERE random() < 0.2) AS a;
        """,
        # Over the eventful half: 70 % spread evenly, 30 % on a tenth of them (repeat offenders, about
        # 35 events each); scrambled over the id space; five years.
        "events": f"""
            INSERT INTO archives_creditevent (customer_id, type, occurred_on, amount_yuan, voltage_kv, severity,
                                              description, evidence, source, status, recorded_by_id, recorded_at,
                                              dishonesty_class, repair_ref)
            SELECT (((floor(CASE WHEN ru < 0.3 THEN rc * {eventful} / 10 ELSE rc * {eventful} END)::bigint * 7919)
                     % {eventful}) * 2 + 1) AS customer_id,
                   t, date '{as_of}' - (rd * 1826)::int,
                   CASE WHEN t = 'theft' THEN round((power(ra, 3) * 900000 + 100)::numeric, 2) END,
                   CASE WHEN t = 'grid_outage' THEN (ARRAY[0.4, 10, 10, 20, 35, 110])[1 + (ra * 5)::int] END,
                   CASE WHEN t = 'facility_damage' THEN CASE WHEN ra < 0.7 THEN 'minor' ELSE 'serious' END
                        WHEN t = 'dishonesty' THEN CASE WHEN ra < 0.75 THEN 'general' ELSE 'serious' END
                        ELSE '' END,
                   '', '', 'import', CASE WHEN rs < 0.03 THEN 'revoked' ELSE 'in_force' END, NULL, now(), '', ''
              FROM (SELECT {event_type_sql(EVENT_MIX)} AS t, ru, rc, rd, ra, rs
                      FROM (SELECT random() AS rt, random() AS ru, random() AS rc, random() AS rd, random() AS ra,
                                   random() AS rs
                              FROM generate_series(1, {events})) AS r) AS e;
        """,
        # 70 % with a verified report of the last 15 months, 15 % an older one too, 3 % one pending.
        "reports": f"""
            INSERT INTO archives_publiccreditreport (customer_id, issued_on, shows_dishonesty, file, status,
                                                     uploaded_by_id, uploaded_at, verified_by_id, verified_at, note,
                                                     refusal)
            SELECT c, date '{as_of}' - (random() * d)::int, s, 'publiccreditreport/bench.pdf', st,
                   {staff.pk}, now(), CASE WHEN st = 'verified' THEN {staff.pk} END,
                   CASE WHEN st = 'verified' THEN now() END, '', ''
              FROM (SELECT i AS c, 456 AS d, random() < 0.08 AS s, 'verified' AS st
                      FROM generate_series(1, {n}) AS i WHERE random() < 0.7
                    UNION ALL
                    SELECT i, 900, random() < 0.15, 'verified' FROM generate_series(1, {n}) AS i WHERE random() < 0.15
                    UNION ALL
                    SELECT i, 30, NULL, 'pending' FROM generate_series(1, {n}) AS i WHERE random() < 0.03) AS r;
        """,
        # Active manual levels: most run past both dates, some end between them (ended by run B).
        "overrides": f"""
            INSERT INTO ratings_leveloverride (customer_id, level, reason, ends_on, status, requested_by_id,
                                               requested_at, decided_by_id, decided_at, decision_note, end_reason,
                                               basis_kind, basis_ref, basis_document, basis_summary)
            SELECT c, (ARRAY['green','blue','yellow','red','black'])[1 + (random() * 4)::int], 'bench',
                   date '{as_of}' + CASE WHEN random() < 0.2 THEN 1 + (random() * 20)::int ELSE 60 END,
                   'active', {staff.pk}, now(), {boss.pk}, now(), '', '', 'legacy', '', '', ''
              FROM (SELECT DISTINCT 1 + (random() * ({n} - 1))::int AS c
                      FROM generate_series(1, greatest(1, {n} / 5000))) AS o;
        """,
    }
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(f"SELECT setseed({SEED})")
        for name, sql in steps.items():
            started = time.perf_counter()
            cur.execute(sql)
            timings[name] = time.perf_counter() - started
    # Each event's class and publication periods, as the archive's migration fills them.
    started = time.perf_counter()
    fill_unclassed_sql(connection, time_zone=settings.TIME_ZONE)
    timings["classes"] = time.perf_counter() - started
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (customers bigint, events bigint, version int);"
            "TRUNCATE bench_meta;"
            f"INSERT INTO bench_meta VALUES ({n}, {events}, {GENERATOR_VERSION})"
        )
    connection.close()
    import psycopg

    # VACUUM cannot run in a transaction block: a plain autocommit connection.
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def data_matches(customers: int, events: int) -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return False
        cur.execute("SELECT customers, events, version FROM bench_meta")
        if cur.fetchone() != (customers, events, GENERATOR_VERSION):
            return False
        # Counted too: anything else writing into this database makes the figures meaningless.
        cur.execute("SELECT (SELECT count(*) FROM archives_customer), (SELECT count(*) FROM archives_creditevent)")
        return cur.fetchone() == (customers, events)


def describe_data() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cur:
        for label, table in (
            ("customers", "archives_customer"),
            ("accounts", "archives_electricityaccount"),
            ("events", "archives_creditevent"),
            ("reports", "archives_publiccreditreport"),
            ("overrides", "ratings_leveloverride"),
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["size"] = cur.fetchone()[0]
    return counts


def reset_ratings() -> None:
    """No stored rating, every bench override active again: each run starts from the same state."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE ratings_customerrating, ratings_ratinghistory CASCADE")  # and their notices
        cur.execute("UPDATE ratings_leveloverride SET status = 'active' WHERE reason = 'bench'")
        cur.execute("DELETE FROM archives_creditevent WHERE description = 'bench-latency'")
        cur.execute("ANALYZE ratings_customerrating")


# --------------------------------------------------------------------------------------------
# Workers: processes standing in for Celery workers, one range task at a time
# --------------------------------------------------------------------------------------------


_SPENT: Counter = Counter()  # per worker: seconds inside the instrumented steps
_CPU_AT_START = 0.0


def _cpu_seconds() -> float:
    """CPU seconds of this worker process plus those of its PostgreSQL backend (same machine)."""
    from django.db import connection

    usage = resource.getrusage(resource.RUSAGE_SELF)
    backend = 0.0
    pid = connection.connection.info.backend_pid if connection.connection else None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, ValueError, IndexError):
        pass
    return usage.ru_utime + usage.ru_stime + backend


def _timed(name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _SPENT[name] += time.perf_counter() - started

    wrapper.cache_info = getattr(function, "cache_info", None)
    return wrapper


def _worker_init(dsn: str) -> None:
    django_setup(dsn)
    from django.db import connection

    from ratings import bulk, changes

    # Bench-only instrumentation: where the time of the written rows goes.
    bulk._explanation = _timed("explanations", bulk._explanation)
    changes.level_changes_announce = _timed("notices", changes.level_changes_announce)
    connection.ensure_connection()


def _worker_warm(_: int) -> int:
    global _CPU_AT_START
    _CPU_AT_START = _cpu_seconds()
    time.sleep(0.3)  # long enough that each worker takes one: both are set up before the clock starts
    return os.getpid()


def _worker_range(task: tuple[int, int, str]):
    from ratings import bulk

    start_id, end_id, as_of_iso = task
    stats = bulk.rerate_range(start_id=start_id, end_id=end_id, as_of=date.fromisoformat(as_of_iso))
    memo = bulk._explanation.cache_info()
    return stats, {
        "pid": os.getpid(),
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "memo": (memo.hits, memo.misses),
        "cpu": _cpu_seconds() - _CPU_AT_START,
        "spent": dict(_SPENT),
    }


#: The tables a full re-rate writes to, whose statistics autovacuum refreshes after it.
WRITTEN_TABLES = ("ratings_customerrating", "ratings_ratinghistory", "notifications_notice")


def settle() -> None:
    """ANALYZE what a re-rate wrote, untimed: what autovacuum does within a minute of a bulk write.

    This machine's PostgreSQL runs with ``autovacuum = off``; production's (the compose file's image,
    Debian's package) has it on. Without this, B would run seconds after A's 574,603 notices with the
    planner still believing the notices table nearly empty, and the notices' superseding would scan
    every pending notice per chunk of customers (0.5 s instead of 2 ms): not what the next night meets.
    """
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {', '.join(WRITTEN_TABLES)}")


def full_rerate(dsn: str, as_of: date, *, workers: int, range_size: int) -> dict:
    """One nightly re-rate: end expired overrides, then every range on ``workers`` processes."""
    from django.db import connection

    from ratings import bulk
    from ratings.services import override_end_expired

    context = multiprocessing.get_context("spawn")
    load = os.getloadavg()[0]
    with context.Pool(workers, initializer=_worker_init, initargs=(dsn,)) as pool:
        pool.map(_worker_warm, range(workers), chunksize=1)
        started = time.perf_counter()
        ended = override_end_expired(as_of=as_of)
        ranges = bulk.plan_ranges(size=range_size)
        total = bulk.RangeStats()
        last: dict[int, dict] = {}  # per worker pid, its latest (cumulative) figures
        tasks = [(start, end, as_of.isoformat()) for start, end in ranges]
        for stats, info in pool.imap_unordered(_worker_range, tasks, chunksize=1):
            total.add(stats)
            last[info["pid"]] = info
        seconds = time.perf_counter() - started
    settle()
    connection.close()
    hits = sum(info["memo"][0] for info in last.values())
    misses = sum(info["memo"][1] for info in last.values())
    worker_mb = [info["maxrss"] / 1024 for info in last.values()]
    spent: Counter = Counter()
    for info in last.values():
        spent.update(info["spent"])
    return {
        "seconds": seconds,
        "customers": total.customers,
        "written": total.written,
        "created": total.created,
        "level_changes": total.level_changes,
        "skipped": total.skipped,
        "stable": total.stable,
        "extended": total.extended,
        "notices": total.notices,
        "overrides_ended": ended,
        "ranges": len(ranges),
        "worker_peak_mb": max(worker_mb),
        "workers_sum_mb": sum(worker_mb),
        "parent_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "memo_hit_rate": hits / (hits + misses) if hits + misses else 0.0,
        "cpu": sum(info["cpu"] for info in last.values()),
        "explain_s": spent["explanations"],
        "notices_s": spent["notices"],
        "load": load,
        "levels": dict(total.levels),
    }


# --------------------------------------------------------------------------------------------
# The per-customer baselines
# --------------------------------------------------------------------------------------------


def orm_loop(sample: list[int], as_of: date) -> float:
    """Seconds for the straightforward loop: each customer loaded and re-rated by rating_refresh."""
    from archives.models import Customer
    from ratings.models import RatingCause
    from ratings.services import rating_refresh

    started = time.perf_counter()
    for customer in Customer.objects.filter(pk__in=sample).order_by("pk").iterator(chunk_size=1000):
        rating_refresh(customer=customer, cause=RatingCause.NIGHTLY, as_of=as_of)
    return time.perf_counter() - started


def read_loop(sample: list[int], as_of: date) -> float:
    """Seconds for a read-only loop: each customer's facts loaded with the ORM and evaluated."""
    from archives.models import Customer
    from ratings import rules
    from ratings.facts import customer_facts
    from ratings.selectors import active_override

    started = time.perf_counter()
    for customer in Customer.objects.filter(pk__in=sample).order_by("pk").iterator(chunk_size=1000):
        rules.evaluate(customer_facts(customer=customer, as_of=as_of))
        active_override(customer_id=customer.pk, as_of=as_of)
    return time.perf_counter() - started


def commit_latency(calls: int = 50) -> float:
    """Median milliseconds of committing a one-row update: the floor under any write's response."""
    from django.db import connection, transaction

    times = []
    for _ in range(calls):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE bench_meta SET version = version")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def one_customer_after_event(ids: list[int], as_of: date) -> tuple[float, float]:
    """Median and p95 milliseconds of rating_refresh right after a new event was recorded."""
    from archives.models import CreditEvent, Customer
    from ratings.models import RatingCause
    from ratings.services import rating_refresh

    times = []
    for customer_id in ids:
        customer = Customer.objects.get(pk=customer_id)
        event = CreditEvent.objects.create(
            customer=customer,
            type="late_payment",
            occurred_on=as_of - timedelta(days=3),
            description="bench-latency",
            source="api",
        )
        started = time.perf_counter()
        rating_refresh(customer=customer, cause=RatingCause.EVENT, cause_ref=str(event.pk), as_of=as_of)
        times.append((time.perf_counter() - started) * 1000)
    # The bench's own events go again, so that the next run starts from the generated archive.
    CreditEvent.objects.filter(description="bench-latency").delete()
    times.sort()
    return statistics.median(times), times[math.ceil(0.95 * len(times)) - 1]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events-per-customer", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes standing in for Celery workers")
    parser.add_argument("--range-size", type=int, help="customer ids per range task (default: the product's)")
    parser.add_argument("--sample", type=int, default=10_000, help="customers in the per-customer ORM loop")
    parser.add_argument("--latency-calls", type=int, default=100)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the synthetic data")
    parser.add_argument("--dsn", default=DEFAULT_DSN, help="the bench database (never the portal's)")
    args = parser.parse_args()
    if not args.dsn.rsplit("/", 1)[1].startswith("bench"):
        parser.error("--dsn must name a bench database (bench…): this script truncates its tables")

    ensure_database(args.dsn)
    django_setup(args.dsn)
    from django.core.management import call_command

    from ratings import bulk

    call_command("migrate", verbosity=0)
    events = round(args.customers * args.events_per_customer)
    print(f"# bench/rerate.py — PostgreSQL {args.dsn}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.regenerate or not data_matches(args.customers, events):
        print(f"generating {args.customers:,} customers and {events:,} events …", flush=True)
        timings = generate(args.customers, events)
        print("  generated in " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    data = describe_data()
    print(
        "archive: "
        + ", ".join(f"{v:,} {k}" if isinstance(v, int) else f"{k} {v}" for k, v in data.items())
        + f"; events over 5 years to {BASE_AS_OF}"
    )
    range_size = args.range_size or (
        bulk.DEFAULT_RANGE_SIZE
        if args.customers >= 8 * bulk.DEFAULT_RANGE_SIZE
        else max(1, math.ceil(args.customers / 8))
    )
    later = BASE_AS_OF + timedelta(days=LATER_DAYS)
    print(
        f"full re-rates: {args.workers} worker processes (multiprocessing, standing in for {args.workers} Celery "
        f"workers taking range tasks one at a time), range size {range_size:,}; A as of {BASE_AS_OF}, "
        f"B and C as of {later}"
    )
    rng = random.Random(20211)
    from archives.models import Customer

    all_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    sample = sorted(rng.sample(all_ids, min(args.sample, len(all_ids))))
    latency_ids = rng.sample(all_ids, min(args.latency_calls, len(all_ids)))
    del all_ids

    runs: list[dict[str, float]] = []
    levels: Counter = Counter()
    for run in range(1, args.runs + 1):
        reset_ratings()
        figures: dict[str, float] = {}
        a = full_rerate(args.dsn, BASE_AS_OF, workers=args.workers, range_size=range_size)
        b = full_rerate(args.dsn, later, workers=args.workers, range_size=range_size)
        cpu0 = _cpu_seconds()
        loop_seconds = orm_loop(sample, later)
        cpu1 = _cpu_seconds()
        read_seconds = read_loop(sample, later)
        cpu2 = _cpu_seconds()
        c = full_rerate(args.dsn, later, workers=args.workers, range_size=range_size)
        latency, latency_p95 = one_customer_after_event(latency_ids, later)
        n = a["customers"]
        figures.update(
            {
                "customers": n,
                "A_s": a["seconds"],
                "A_worker_mb": a["worker_peak_mb"],
                "A_sum_mb": a["workers_sum_mb"],
                "A_written": a["written"],
                "A_history": a["level_changes"],
                "A_notices": a["notices"],
                "A_memo": a["memo_hit_rate"] * 100,
                "B_s": b["seconds"],
                "B_worker_mb": b["worker_peak_mb"],
                "B_sum_mb": b["workers_sum_mb"],
                "B_written": b["written"],
                "B_pct": 100 * b["written"] / n,
                "B_history": b["level_changes"],
                "B_notices": b["notices"],
                "B_ended": b["overrides_ended"],
                "C_s": c["seconds"],
                "C_written": c["written"],
                "B_stable": b["stable"],
                "B_extended": b["extended"],
                "C_stable": c["stable"],
                "A_us": a["seconds"] / n * 1e6,
                "B_us": b["seconds"] / n * 1e6,
                "C_us": c["seconds"] / n * 1e6,
                "loop_ms": loop_seconds / len(sample) * 1000,
                "read_ms": read_seconds / len(sample) * 1000,
                "commit_ms": commit_latency(),
                "parent_mb": max(a["parent_peak_mb"], b["parent_peak_mb"], c["parent_peak_mb"]),
                "latency_ms": latency,
                "latency_p95_ms": latency_p95,
                "A_cpu": a["cpu"],
                "B_cpu": b["cpu"],
                "C_cpu": c["cpu"],
                "A_idle": a["cpu"] / args.workers,
                "B_idle": b["cpu"] / args.workers,
                "C_idle": c["cpu"] / args.workers,
                "A_explain": a["explain_s"],
                "A_notices_s": a["notices_s"],
                "B_explain": b["explain_s"],
                "B_notices_s": b["notices_s"],
                "load": statistics.mean([a["load"], b["load"], c["load"]]),
                "loop_cpu_ms": (cpu1 - cpu0) / len(sample) * 1000,
                "read_cpu_ms": (cpu2 - cpu1) / len(sample) * 1000,
                "B_cpu_us": b["cpu"] / n * 1e6,
            }
        )
        figures["ratio_B_cpu"] = figures["loop_cpu_ms"] * 1000 / figures["B_cpu_us"]
        figures["ratio_read_B_cpu"] = figures["read_cpu_ms"] * 1000 / figures["B_cpu_us"]
        figures["ratio_B"] = figures["loop_ms"] * 1000 / figures["B_us"]
        figures["ratio_A"] = figures["loop_ms"] * 1000 / figures["A_us"]
        figures["ratio_B_core"] = figures["ratio_B"] / args.workers
        figures["ratio_read_B"] = figures["read_ms"] * 1000 / figures["B_us"]
        figures["ratio_read_B_core"] = figures["ratio_read_B"] / args.workers
        runs.append(figures)
        levels = Counter(b["levels"])
        print(
            f"run {run}{' (cold: the first of this process)' if run == 1 else ' (warm)'}: "
            f"A {a['seconds']:.1f} s ({a['cpu']:.1f} CPU-s), B {b['seconds']:.1f} s ({b['cpu']:.1f} CPU-s, "
            f"{b['written']:,} changed, {b['stable']:,} skipped as stable), C {c['seconds']:.1f} s "
            f"({c['cpu']:.1f} CPU-s, {c['written']} written, {c['stable']:,} skipped as stable), "
            f"loop {figures['loop_ms']:.2f} ms/customer, one customer {latency:.2f} ms (p95 {latency_p95:.2f} ms)",
            flush=True,
        )
    if not runs:
        return
    print_table(runs, args, n=int(runs[0]["customers"]))
    print_cold_warm(runs)
    total = sum(levels.values())
    print(
        "levels in force after B: "
        + ", ".join(
            f"{level} {levels.get(level, 0):,} ({100 * levels.get(level, 0) / total:.1f} %)"
            for level in ("green", "blue", "yellow", "red", "black", "unrated")
        )
    )


ROWS = (
    ("A full re-rate, no stored ratings (s)", "A_s", "{:.1f}", "≤ 90"),
    ("    ratings written / history rows", ("A_written", "A_history"), "{:,.0f} / {:,.0f}", ""),
    ("    notices written and queued", "A_notices", "{:,.0f}", ""),
    ("    explanation memo hit rate (%)", "A_memo", "{:.1f}", ""),
    ("    worker time in explanations / notices (s)", ("A_explain", "A_notices_s"), "{:.1f} / {:.1f}", ""),
    ("    CPU, workers + their backends (s)", "A_cpu", "{:.1f}", ""),
    ("    the same CPU over the workers' cores (s)", "A_idle", "{:.1f}", ""),
    ("    peak RSS, largest worker (MB)", "A_worker_mb", "{:.0f}", "≤ 500"),
    ("    peak RSS, all workers (MB)", "A_sum_mb", "{:.0f}", ""),
    ("B full re-rate 30 days later (s)", "B_s", "{:.1f}", "≤ 60"),
    ("    ratings changed (%) / history rows", ("B_pct", "B_history"), "{:.2f} / {:,.0f}", ""),
    ("    notices written and queued", "B_notices", "{:,.0f}", ""),
    ("    overrides ended first", "B_ended", "{:.0f}", ""),
    ("    worker time in explanations / notices (s)", ("B_explain", "B_notices_s"), "{:.1f} / {:.1f}", ""),
    ("    CPU, workers + their backends (s)", "B_cpu", "{:.1f}", ""),
    ("    the same CPU over the workers' cores (s)", "B_idle", "{:.1f}", "≤ 60"),
    ("    peak RSS, largest worker (MB)", "B_worker_mb", "{:.0f}", "≤ 500"),
    ("    peak RSS, all workers (MB)", "B_sum_mb", "{:.0f}", ""),
    ("    skipped as stable / only stable_until written", ("B_stable", "B_extended"), "{:,.0f} / {:,.0f}", ""),
    ("C same date again (s) / written", ("C_s", "C_written"), "{:.1f} / {:.0f}", "≤ 25 s, 0 written"),
    ("    customers skipped as stable", "C_stable", "{:,.0f}", ""),
    ("    CPU / over the workers' cores (s)", ("C_cpu", "C_idle"), "{:.1f} / {:.1f}", ""),
    ("bulk per customer, A / B / C (µs)", ("A_us", "B_us", "C_us"), "{:.1f} / {:.1f} / {:.1f}", ""),
    ("ORM loop, rating_refresh per customer (ms)", "loop_ms", "{:.2f}", ""),
    ("    ratio to bulk B, wall clock", "ratio_B", "{:.0f}×", "≥ 20×"),
    ("    ratio to bulk B, per core", "ratio_B_core", "{:.0f}×", ""),
    ("    ratio to bulk A, wall clock", "ratio_A", "{:.0f}×", ""),
    ("    CPU per customer (ms) / ratio to bulk B CPU", ("loop_cpu_ms", "ratio_B_cpu"), "{:.2f} / {:.0f}×", ""),
    ("ORM loop, read + evaluate only (ms)", "read_ms", "{:.2f}", ""),
    ("    ratio to bulk B, wall clock", "ratio_read_B", "{:.0f}×", "≥ 20×"),
    ("    ratio to bulk B, per core", "ratio_read_B_core", "{:.0f}×", ""),
    ("    CPU per customer (ms) / ratio to bulk B CPU", ("read_cpu_ms", "ratio_read_B_cpu"), "{:.2f} / {:.0f}×", ""),
    ("one customer after a new event, median (ms)", "latency_ms", "{:.2f}", "≤ 10"),
    ("    p95 of the calls (ms)", "latency_p95_ms", "{:.2f}", "≤ 25"),
    ("    commit of a one-row update, median (ms)", "commit_ms", "{:.2f}", ""),
    ("peak RSS, coordinating process (MB)", "parent_mb", "{:.0f}", ""),
    ("machine load average (1 min) at the re-rates", "load", "{:.1f}", ""),
)


def print_cold_warm(runs: list[dict[str, float]]) -> None:
    """A, B and C of the first run (cold: right after generating or starting) and of the others (warm)."""
    cold, warm = runs[0], runs[1:]
    print()
    print("cold = run 1 (the first of this process; restart PostgreSQL and drop the page cache before it for a")
    print("really cold figure); warm = median of the later runs. Wall time, with the CPU of the workers and their")
    print("PostgreSQL backends beside it.")
    print(f"{'':<4}{'cold wall':>12}{'cold CPU':>12}{'warm wall':>12}{'warm CPU':>12}  target")
    for key, target in (("A", "≤ 90 s"), ("B", "≤ 60 s"), ("C", "≤ 25 s")):
        cells = [f"{cold[f'{key}_s']:.1f} s", f"{cold[f'{key}_cpu']:.1f} s"]
        if warm:
            cells += [
                f"{statistics.median(r[f'{key}_s'] for r in warm):.1f} s",
                f"{statistics.median(r[f'{key}_cpu'] for r in warm):.1f} s",
            ]
        else:
            cells += ["—", "—"]
        print(f"{key:<4}" + "".join(f"{c:>12}" for c in cells) + f"  {target}")
    latency = [r["latency_ms"] for r in runs]
    p95 = [r["latency_p95_ms"] for r in runs]
    print(
        f"one customer after a new event: median {statistics.median(latency):.2f} ms, "
        f"p95 {statistics.median(p95):.2f} ms (targets ≤ 10 ms, ≤ 25 ms)"
    )


def print_table(runs: list[dict[str, float]], args, n: int) -> None:
    def cell(fmt: str, keys, values: dict[str, float]) -> str:
        keys = keys if isinstance(keys, tuple) else (keys,)
        return fmt.format(*(values[k] for k in keys))

    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    headers = [f"run {i}" for i in range(1, len(runs) + 1)] + [f"median of {len(runs)}", "target"]
    width = max(len(label) for label, *_ in ROWS) + 2
    print()
    print(
        f"Full re-rate of {n:,} customers on {args.workers} worker processes; "
        f"ORM loop over {min(args.sample, n):,} customers; medians of {len(runs)} runs"
    )
    print(f"{'figure':<{width}}" + "".join(f"{h:>22}" for h in headers))
    for label, keys, fmt, target in ROWS:
        cells = [cell(fmt, keys, r) for r in runs] + [cell(fmt, keys, medians), target]
        print(f"{label:<{width}}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
