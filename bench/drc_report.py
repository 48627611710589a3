"""Benchmark of the daily DRC report on PostgreSQL (DESIGN.md, Targets: 1,000,000 archives in
≤ 120 s, memory ≤ 300 MB, streamed).

    .venv/bin/python bench/drc_report.py [--customers 1000000] [--events 5000000] [--letters 100000] [--runs 3]

Generates a synthetic archive with generate_series in its own database ``bench_drc`` (created and
migrated if missing; the data is reused while its parameters match): customers (one in a thousand
with a comma, quotes or a newline in its name), their current ratings with rule ids, verified public
credit reports, events over five years (3 % revoked, each with its approved revocation), and
accepted commitment letters. Each run then builds the full report of today in a fresh process with
``drc_report_build(rebuild=True)`` — exactly what the 01:00 task and ``build_drc_report`` do — and
reports its wall time and the process's peak RSS; the figures are printed per run with the median.
The runs must also agree: the CSVs of every run have the same SHA-256 (rebuilds are byte-identical).
Nothing outside the bench database and the bench's report folder is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import ensure_database, event_type_sql, uscc_sql  # noqa: E402

DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/bench_drc"
GENERATOR_VERSION = 1
SEED = 0.20210923
CSV_NAMES = ("commitments.csv", "archives.csv", "events.csv")

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


def django_setup(dsn: str, report_root: str | None = None) -> None:
    os.environ["DATABASE_URL"] = dsn
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DRC_PUSH_URL"] = ""  # measure the build, not an upload
    if report_root:
        os.environ["DRC_REPORT_ROOT"] = report_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")
    import django

    django.setup()


def generate(customers: int, events: int, letters: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    n = customers
    user_model = get_user_model()
    staff, _ = user_model.objects.get_or_create(username="bench-staff", defaults={"password": "!"})
    boss, _ = user_model.objects.get_or_create(username="bench-supervisor", defaults={"password": "!"})
    steps = {
        "reset": """
            TRUNCATE archives_customer, archives_historicalcustomer, archives_historicalcreditevent,
                     archives_historicaleventrevocation, commitments_historicalcommitmentletter
                     RESTART IDENTITY CASCADE;
            TRUNCATE notifications_drcreport RESTART IDENTITY CASCADE;
        """,
        # Created 400 days ago; one name in a thousand with a comma, quotes or a newline in it.
        "customers": f"""
            INSERT INTO archives_customer (id, uscc, name, legal_representative, contact_person, contact_phone,
                                           address, industry, created_at, updated_at,
                                           legal_representative_id_type, legal_representative_id_number)
            SELECT i, {uscc_sql("lpad(i::text, 9, '0')")},
                   CASE WHEN i % 1000 = 0 THEN '淮阴"星光",电器' || i || E'\\n有限公司'
                        ELSE '淮阴基准企业' || i || '有限公司' END,
                   '张三', '李四', '138' || lpad((i % 100000000)::text, 8, '0'), '江苏省淮安市淮阴区长江东路1号',
                   '制造业', now() - interval '400 days', now() - interval '400 days', '', ''
              FROM generate_series(1, {n}) AS i;
            SELECT setval(pg_get_serial_sequence('archives_customer', 'id'), {n});
        """,
        # 95 % rated, level and rule ids from the level.
        "ratings": f"""
            INSERT INTO ratings_customerrating (customer_id, level, computed_level, rules, explanation, as_of,
                                                rules_version, changed_on, rule_set_version)
            SELECT i, l, l,
                   CASE l WHEN 'green' THEN '["green.1", "green.2", "green.3", "green.4"]'::jsonb
                          WHEN 'blue' THEN '["blue.1", "blue.2", "blue.3"]'::jsonb
                          WHEN 'yellow' THEN '["yellow.2"]'::jsonb
                          WHEN 'red' THEN '["red.1", "red.4"]'::jsonb
                          WHEN 'black' THEN '["black.3"]'::jsonb ELSE '[]'::jsonb END,
                   '', current_date, 'bench', current_date - (random() * 700)::int, 1
              FROM (SELECT i, (ARRAY['green','blue','blue','unrated','yellow','red','black'])[1 + (random() * 6)::int]
                           AS l
                      FROM generate_series(1, {n}) AS i WHERE random() < 0.95) AS r;
        """,
        # 70 % with a verified report, 15 % an older one too.
        "reports": f"""
            INSERT INTO archives_publiccreditreport (customer_id, issued_on, shows_dishonesty, file, status,
                                                     uploaded_by_id, uploaded_at, verified_by_id, verified_at, note,
                                                     refusal)
            SELECT c, current_date - 1 - (random() * d)::int, random() < 0.08, 'publiccreditreport/bench.pdf',
                   'verified', {staff.pk}, now() - interval '2 days', {staff.pk}, now() - interval '1 day', '', ''
              FROM (SELECT i AS c, 400 AS d FROM generate_series(1, {n}) AS i WHERE random() < 0.7
                    UNION ALL
                    SELECT i, 900 FROM generate_series(1, {n}) AS i WHERE random() < 0.15) AS r;
        """,
        # Spread over the customers, five years back, recorded the day after; 3 % revoked.
        "events": f"""
            INSERT INTO archives_creditevent (customer_id, type, occurred_on, amount_yuan, voltage_kv, severity,
                                              description, evidence, source, status, recorded_by_id, recorded_at)
            SELECT 1 + (rc * ({n} - 1))::bigint, t, current_date - 2 - (rd * 1826)::int,
                   CASE WHEN t = 'theft' THEN round((power(ra, 3) * 900000 + 100)::numeric, 2) END,
                   CASE WHEN t = 'grid_outage' THEN (ARRAY[0.4, 10, 10, 20, 35, 110])[1 + (ra * 5)::int] END,
                   CASE WHEN t = 'facility_damage' THEN CASE WHEN ra < 0.7 THEN 'minor' ELSE 'serious' END
                        WHEN t = 'dishonesty' THEN CASE WHEN ra < 0.75 THEN 'general' ELSE 'serious' END
                        ELSE '' END,
                   '', '', 'import', CASE WHEN rs < 0.03 THEN 'revoked' ELSE 'in_force' END, NULL,
                   (current_date - 1 - (rd * 1826)::int)::timestamp AT TIME ZONE 'Asia/Shanghai'
              FROM (SELECT {event_type_sql(EVENT_MIX)} AS t, rc, rd, ra, rs
                      FROM (SELECT random() AS rt, random() AS rc, random() AS rd, random() AS ra, random() AS rs
                              FROM generate_series(1, {events})) AS r) AS e;
        """,
        "revocations": f"""
            INSERT INTO archives_eventrevocation (event_id, reason, status, requested_by_id, requested_at,
                                                  decided_by_id, decided_at, decision_note)
            SELECT id, '当事人提供了缴费凭证, "已核实"', 'approved', {staff.pk}, recorded_at + interval '1 day',
                   {boss.pk}, recorded_at + interval '2 days', ''
              FROM archives_creditevent WHERE status = 'revoked';
        """,
        # Accepted letters with their 承诺编码 (division code + date + serial of the day).
        "letters": f"""
            INSERT INTO commitments_commitmentletter (customer_id, commitment_type, committed_on, file, status, code,
                                                      valid_until, fulfilment, unfulfilled_content, liability_pursued,
                                                      uploaded_by_id, uploaded_at, decided_by_id, decided_at,
                                                      decision_note)
            SELECT c, 'certification', d, 'commitmentletter/bench.pdf', 'accepted',
                   '320804' || to_char(d, 'YYYYMMDD') || lpad((row_number() OVER (PARTITION BY d ORDER BY c))::text,
                                                               6, '0'),
                   CASE WHEN random() < 0.5 THEN d + 730 END,
                   CASE WHEN random() < 0.97 THEN 'full' ELSE 'partial' END, '', '',
                   {staff.pk}, now() - interval '3 days', {boss.pk}, now() - interval '2 days', ''
              FROM (SELECT DISTINCT ON (c) c, current_date - 3 - (random() * 900)::int AS d
                      FROM (SELECT 1 + (random() * ({n} - 1))::bigint AS c FROM generate_series(1, {letters})) AS x
                     ORDER BY c) AS l;
            UPDATE commitments_commitmentletter SET fulfilment = 'partial', unfulfilled_content = '未按期整改,"隐患"'
             WHERE fulfilment = 'partial';
        """,
    }
    timings: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(f"SELECT setseed({SEED})")
        for name, sql in steps.items():
            started = time.perf_counter()
            cur.execute(sql)
            timings[name] = time.perf_counter() - started
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (customers bigint, events bigint, letters bigint, version int);"
            "TRUNCATE bench_meta;"
            f"INSERT INTO bench_meta VALUES ({customers}, {events}, {letters}, {GENERATOR_VERSION})"
        )
    connection.close()
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def data_matches(customers: int, events: int, letters: int) -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return False
        cur.execute("SELECT customers, events, letters, version FROM bench_meta")
        if cur.fetchone() != (customers, events, letters, GENERATOR_VERSION):
            return False
        cur.execute("SELECT (SELECT count(*) FROM archives_customer), (SELECT count(*) FROM archives_creditevent)")
        return cur.fetchone() == (customers, events)


def describe_data() -> dict[str, object]:
    from django.db import connection

    counts: dict[str, object] = {}
    with connection.cursor() as cur:
        for label, table in (
            ("customers", "archives_customer"),
            ("ratings", "ratings_customerrating"),
            ("reports", "archives_publiccreditreport"),
            ("events", "archives_creditevent"),
            ("revocations", "archives_eventrevocation"),
            ("letters", "commitments_commitmentletter"),
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["size"] = cur.fetchone()[0]
    return counts


# --------------------------------------------------------------------------------------------
# One run: a fresh process that builds the report, as the beat task does
# --------------------------------------------------------------------------------------------


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend serving this process (same machine), 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def run_once(dsn: str, report_root: str) -> None:
    """Child process: build today's report (replacing the previous run's) and print the figures as JSON."""
    import resource

    django_setup(dsn, report_root)
    from django.db import connection
    from django.utils import timezone

    from notifications.drc.build import drc_report_build
    from notifications.drc.storage import report_folder

    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    cpu_before, backend_before = _cpu(), _backend_cpu(backend_pid)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = drc_report_build(report_date=timezone.localdate(), rebuild=True)
    seconds = time.perf_counter() - started
    cpu, backend = _cpu() - cpu_before, _backend_cpu(backend_pid) - backend_before
    report = result.report
    folder = report_folder(report)
    print(
        json.dumps(
            {
                "outcome": result.outcome,
                "seconds": seconds,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "cpu_seconds": cpu,
                "db_cpu_seconds": backend,
                "load": [load_before, os.getloadavg()[0]],
                "counts": report.counts,
                "sizes_mb": {name: round(size / 2**20, 1) for name, size in report.sizes.items()},
                "checksums": {
                    name: report.checksums[name] for name in ("commitments.csv", "archives.csv", "events.csv")
                },
                "folder": str(folder),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dsn", default=os.environ.get("BENCH_DRC_DSN", DEFAULT_DSN))
    parser.add_argument("--report-root", default=str(Path(tempfile.gettempdir()) / "bench-drc-reports"))
    parser.add_argument("--regenerate", action="store_true", help="regenerate the data even if it matches")
    parser.add_argument("--run-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once:
        run_once(args.dsn, args.report_root)
        return

    ensure_database(args.dsn)
    django_setup(args.dsn, args.report_root)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.regenerate or not data_matches(args.customers, args.events, args.letters):
        print(f"generating {args.customers:,} customers, {args.events:,} events, {args.letters:,} letters …")
        for step, seconds in generate(args.customers, args.events, args.letters).items():
            print(f"  {step:<15} {seconds:7.1f} s")
    print("data:", describe_data())
    print(f"machine: {os.cpu_count()} CPUs; report folder under {args.report_root}")

    runs = []
    for number in range(1, args.runs + 1):
        completed = subprocess.run(
            [sys.executable, __file__, "--run-once", "--dsn", args.dsn, "--report-root", args.report_root],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            sys.exit(f"run {number} failed:\n{completed.stderr}")
        run = json.loads(completed.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(
            f"run {number}: {run['seconds']:6.1f} s wall, peak RSS {run['maxrss_mb']:6.1f} MB, "
            f"CPU {run['cpu_seconds']:.1f} s + PostgreSQL {run['db_cpu_seconds']:.1f} s, "
            f"load average {run['load'][0]:.1f}→{run['load'][1]:.1f}; "
            f"rows {run['counts']}, files (MB) {run['sizes_mb']}"
        )
    seconds = statistics.median(run["seconds"] for run in runs)
    rss = statistics.median(run["maxrss_mb"] for run in runs)
    identical = all(run["checksums"] == runs[0]["checksums"] for run in runs)
    rows = sum(runs[0]["counts"].values())
    print(
        f"median of {len(runs)}: {seconds:.1f} s wall ({rows / seconds:,.0f} rows/s), peak RSS {rss:.1f} MB; "
        f"target ≤ 120 s and ≤ 300 MB: {'met' if seconds <= 120 and rss <= 300 else 'NOT met'}; "
        f"CSVs byte-identical across runs: {'yes' if identical else 'NO'}"
    )


if __name__ == "__main__":
    main()
