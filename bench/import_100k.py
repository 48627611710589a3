"""Benchmark of the marketing-system import: preview + import of a 100,000-row CSV, median of 3 runs.

Run against a migrated database (PostgreSQL for the figures that count); without DATABASE_URL
it migrates and uses a throw-away SQLite file:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/import_100k.py

Scenarios (each timed `--runs` times, the database put back between runs):
- accounts-new:  100,000 accounts that are not on file yet (the first load);
- accounts-feed: the daily arrears feed: 100,000 accounts on file, 10% of them with changed arrears;
- events:        100,000 new events.
The customers the files refer to (`--customers`, default 25,000) are created once, under a region
code of their own, and left in place. Target: preview + import under 60 s for 100,000 rows.
"""

import argparse
import csv
import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")
# Notices queued by the re-rating go to the (in-memory) broker as in production, where workers send
# them; in-process sending would time the SMS and letter back-ends, not the import.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
# As in production: with DEBUG on, Django keeps and formats the SQL of every query (bulk inserts!).
os.environ.setdefault("DJANGO_DEBUG", "false")
# Without DATABASE_URL: a throw-away SQLite file, never the project's own db.sqlite3.
SCRATCH = None
if "DATABASE_URL" not in os.environ:
    SCRATCH = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from stdnum.cn import uscc as stdnum_uscc  # noqa: E402

from archives.models import CreditEvent, Customer, ElectricityAccount, ImportStatus  # noqa: E402
from archives.services import imports  # noqa: E402

PREFIX = "91320899"  # a region code no real customer of the portal has: the bench's own rows
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ACCOUNT_BASE = 9_000_000_000
HEADERS = {
    "accounts": "uscc,number,opened_on,payment_method,arrears_since,voltage_level,capacity_kva\n",
    "events": "uscc,type,occurred_on,amount_yuan,voltage_kv,severity,description\n",
}


def uscc(serial: int) -> str:
    digits = []
    for _ in range(9):
        serial, index = divmod(serial, len(ALPHABET))
        digits.append(ALPHABET[index])
    first17 = PREFIX + "".join(reversed(digits))
    return first17 + stdnum_uscc.calc_check_digit(first17)


def ensure_customers(count: int) -> list[str]:
    codes = [uscc(n) for n in range(count)]
    existing = set(Customer.objects.filter(uscc__startswith=PREFIX).values_list("uscc", flat=True))
    missing = [Customer(uscc=code, name=f"基准测试企业{code[-6:]}") for code in codes if code not in existing]
    Customer.objects.bulk_create(missing, batch_size=2000)
    return codes


def accounts_csv(codes: list[str], rows: int, *, changed: range | None = None) -> bytes:
    today = date.today()
    lines = [HEADERS["accounts"]]
    for n in range(rows):
        arrears = ""
        if n % 7 == 0:
            arrears = (today - timedelta(days=30 + n % 300)).isoformat()
        if changed is not None and n in changed:
            arrears = "" if arrears else (today - timedelta(days=15)).isoformat()
        payment = "prepaid" if n % 3 == 0 else "postpaid"
        opened = date(2010, 1, 1) + timedelta(days=n % 3000)
        lines.append(f"{codes[n % len(codes)]},{ACCOUNT_BASE + n},{opened},{payment},{arrears},10kV,{100 + n % 900}\n")
    return "".join(lines).encode()


def events_csv(codes: list[str], rows: int) -> bytes:
    today = date.today()
    kinds = [
        ("late_payment", "", "", ""),
        ("theft", "1500.00", "", ""),
        ("grid_outage", "", "10", ""),
        ("dishonesty", "", "", "general"),
        ("unauthorized_use", "", "", ""),
    ]
    lines = [HEADERS["events"]]
    for n in range(rows):
        type_, amount, voltage, severity = kinds[n % len(kinds)]
        occurred = today - timedelta(days=1 + n % 700)
        lines.append(f"{codes[n % len(codes)]},{type_},{occurred},{amount},{voltage},{severity},基准测试\n")
    return "".join(lines).encode()


def _raw_delete(queryset) -> None:
    # No signals, no cascade collection: the bench's rows are referenced by nothing else.
    queryset._raw_delete(queryset.db)


def reset_accounts() -> None:
    _raw_delete(ElectricityAccount.history.filter(customer__uscc__startswith=PREFIX))
    _raw_delete(ElectricityAccount.objects.filter(customer__uscc__startswith=PREFIX))


def reset_events() -> None:
    _raw_delete(CreditEvent.history.filter(customer__uscc__startswith=PREFIX))
    _raw_delete(CreditEvent.objects.filter(customer__uscc__startswith=PREFIX))


def as_xlsx(content: bytes) -> bytes:
    """The same rows as an Excel workbook (every cell text, as a careful export would write them)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in csv.reader(io.StringIO(content.decode())):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed_import(kind: str, content: bytes, actor, *, fmt: str = "csv") -> dict:
    rerate = {}
    original = imports._rerate

    def measured_rerate(customer_ids, *, job_id):
        started = time.perf_counter()
        rerate["customers"] = len(customer_ids)
        try:
            return original(customer_ids, job_id=job_id)
        finally:
            rerate["seconds"] = time.perf_counter() - started

    imports._rerate = measured_rerate
    try:
        upload = SimpleUploadedFile(f"{kind}.{fmt}", as_xlsx(content) if fmt == "xlsx" else content)
        started = time.perf_counter()
        cpu = time.process_time()
        job = imports.import_preview(kind=kind, upload=upload, actor=actor)
        preview = time.perf_counter() - started
        assert job.status == ImportStatus.READY, job.errors[:5]
        started = time.perf_counter()
        job = imports.import_run(job_id=job.pk)
        run = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        imports._rerate = original
    assert job.status == ImportStatus.DONE and "rerate_error" not in job.summary, job.summary
    return {
        "preview": preview,
        "import": run - rerate["seconds"],
        "rerate": rerate["seconds"],
        "rerated": rerate["customers"],
        "total": preview + run,
        "cpu": cpu,
        "summary": job.summary,
    }


def report(name: str, results: list[dict], rows: int) -> None:
    def median(key: str) -> float:
        return statistics.median(result[key] for result in results)

    print(
        f"{name:18s} rows={rows:,} runs={len(results)} | preview {median('preview'):6.1f} s"
        f" | import {median('import'):6.1f} s | re-rate {median('rerate'):6.1f} s ({results[0]['rerated']:,} customers)"
        f" | total {median('total'):6.1f} s | preview+import {median('preview') + median('import'):6.1f} s"
        f" | portal CPU {median('cpu'):5.1f} s"
    )
    runs = ", ".join(f"{result['total']:.1f}" for result in results)
    print(f"{'':18s} per run (total s): {runs}; last summary {results[-1]['summary']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--scenario", choices=["accounts-new", "accounts-feed", "events", "all"], default="all")
    args = parser.parse_args()
    if SCRATCH is not None:
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    actor, _ = User.objects.get_or_create(username="bench-import")
    actor.groups.add(Group.objects.get(name="staff"))
    codes = ensure_customers(args.customers)
    scenarios = ["accounts-new", "accounts-feed", "events"] if args.scenario == "all" else [args.scenario]
    # Keep the uploaded bench files out of the real private media folder.
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        for scenario in scenarios:
            results = []
            for run in range(args.runs):
                if scenario == "accounts-new":
                    reset_accounts()
                    content = accounts_csv(codes, args.rows)
                elif scenario == "accounts-feed":
                    if run == 0:
                        reset_accounts()
                        timed_import("accounts", accounts_csv(codes, args.rows), actor)
                    # Each run flips the arrears of a further tenth of the accounts, against the state
                    # the previous run left: 10% of the rows change, 90% are unchanged.
                    content = accounts_csv(codes, args.rows, changed=range(0, (run + 1) * (args.rows // 10)))
                else:
                    reset_events()
                    content = events_csv(codes, args.rows)
                kind = "events" if scenario == "events" else "accounts"
                results.append(timed_import(kind, content, actor, fmt=args.format))
            report(f"{scenario} {args.format}", results, args.rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS) {peak:.0f} MB")
    if SCRATCH is not None:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
