"""Benchmark of the notice pipeline (issue target: 10,000 level changes queued and sent by one worker ≤ 60 s).

    .venv/bin/python bench/notices.py [--changes 10000] [--runs 3] [--dsn postgres://…/bench_notices]
                                      [--redis redis://127.0.0.1:6379/14]

Uses its own PostgreSQL database (created and migrated if missing) and a queue of its own on the
given Redis DB index. Setup, once: --changes customers with accounts and the late-payment events
that make them yellow (40 %), red (15 %), black (5 %) or green/blue (40 %). Each run:

1. deletes the previous run's notices and level changes;
2. in one transaction, bulk-creates one RatingHistory row per customer and calls
   `notifications.services.notices_for_rating_changes(history_rows=…)` (as the nightly re-rating
   does), which writes the notice rows and, on commit, queues the send tasks;
3. one Celery worker (`--pool=solo`, console backends, output to /dev/null) sends them; the run
   ends when no notice is pending or sending.

Timed from just before the commit to the last notice sent; also printed: time to write the rows
and to queue, notices per second. Medians of --runs runs last.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import ensure_database  # noqa: E402

AS_OF = date(2026, 11, 28)
MIX = (("yellow", 2, 0.40), ("red", 3, 0.15), ("black", 5, 0.05), ("green", 0, 0.20), ("blue", 0, 0.20))


def _ensure_database(dsn: str) -> None:
    ensure_database(dsn)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": dsn},
        check=True,
    )


def _setup(changes: int) -> list[tuple[int, str]]:
    """The bench customers (id, level the run gives them), created once."""
    from archives.models import CreditEvent, Customer, ElectricityAccount, EventSource
    from tests.factories import make_uscc

    prefix = "BENCH-NOTICE-"
    existing = Customer.objects.filter(name__startswith=prefix).count()
    if existing and existing != changes:
        raise SystemExit(f"the bench database holds {existing} bench customers: use --changes {existing} or drop it")
    if not existing:
        customers, plan = [], []
        for i in range(changes):
            customers.append(
                Customer(
                    uscc=make_uscc(900_000_000 + i),
                    name=f"{prefix}{i:06d} 淮阴测试企业有限公司",
                    contact_person="李四",
                    contact_phone=f"139{i:08d}",
                    address=f"江苏省淮安市淮阴区长江东路{i % 500 + 1}号",
                )
            )
        Customer.objects.bulk_create(customers, batch_size=2000)
        ids = list(Customer.objects.filter(name__startswith=prefix).order_by("pk").values_list("pk", flat=True))
        accounts, events = [], []
        for index, customer_id in enumerate(ids):
            level, late, _ = _level_for(index, changes)
            accounts.append(
                ElectricityAccount(
                    customer_id=customer_id,
                    number=f"B{customer_id:012d}",
                    opened_on=date(2018, 1, 1),
                    payment_method="postpaid",
                    voltage_level="10kV",
                    capacity_kva=315,
                )
            )
            events.extend(
                CreditEvent(
                    customer_id=customer_id,
                    type="late_payment",
                    occurred_on=date(2026, month, 15),
                    source=EventSource.IMPORT,
                )
                for month in range(1, late + 1)
            )
            plan.append((customer_id, level))
        ElectricityAccount.objects.bulk_create(accounts, batch_size=2000)
        CreditEvent.objects.bulk_create(events, batch_size=5000)
    ids = list(Customer.objects.filter(name__startswith=prefix).order_by("pk").values_list("pk", flat=True))
    return [(customer_id, _level_for(index, changes)[0]) for index, customer_id in enumerate(ids)]


def _level_for(index: int, total: int) -> tuple[str, int, float]:
    position = (index % 100) / 100
    edge = 0.0
    for level, late, share in MIX:
        edge += share
        if position < edge:
            return level, late, share
    return MIX[-1]


def _start_worker(dsn: str, redis: str, queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "credit_portal.settings",
        "DATABASE_URL": dsn,
        "REDIS_URL": redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "NOTIFICATION_QUEUE": queue,
        "NOTIFICATION_SMS_BACKEND": "notifications.backends.console.ConsoleBackend",
        "NOTIFICATION_WECHAT_BACKEND": "notifications.backends.console.ConsoleBackend",
        "LOG_LEVEL": "WARNING",
    }
    log = open(REPO / "bench" / "out" / "notices-worker.log", "w")  # noqa: SIM115 - lives with the worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "credit_portal", "worker", "--pool=solo", "-Q", queue,
         "-n", f"{queue}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "WARNING"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    time.sleep(4)  # let it connect; it consumes nothing until the first run commits
    return worker


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to tell work from waiting on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/bench_notices")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    (REPO / "bench" / "out").mkdir(parents=True, exist_ok=True)
    queue = f"bench-notices-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "credit_portal.settings",
            "DATABASE_URL": args.dsn,
            "REDIS_URL": args.redis,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "NOTIFICATION_QUEUE": queue,
            "LOG_LEVEL": "WARNING",
        }
    )
    _ensure_database(args.dsn)
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Q

    from notifications.models import Notice, NoticeStatus
    from notifications.services import notices_for_rating_changes
    from ratings import rules
    from ratings.models import RatingHistory

    started = time.perf_counter()
    plan = _setup(args.changes)
    print(f"setup: {len(plan)} customers ready in {time.perf_counter() - started:.1f} s")
    worker = _start_worker(args.dsn, args.redis, queue)
    figures: dict[str, list[float]] = {}
    try:
        for run in range(1, args.runs + 1):
            ids = [customer_id for customer_id, _ in plan]
            Notice.objects.filter(customer_id__in=ids).delete()
            RatingHistory.objects.filter(customer_id__in=ids).delete()
            cpu0 = _cpu_seconds(worker.pid)
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            with transaction.atomic():
                rows = RatingHistory.objects.bulk_create(
                    [
                        RatingHistory(
                            customer_id=customer_id,
                            level=level,
                            previous_level="unrated",
                            computed_level=level,
                            rules=[f"{level}.2"] if level in ("yellow", "red", "black") else [f"{level}.1"],
                            explanation="",
                            as_of=AS_OF,
                            rules_version=rules.RULES_VERSION,
                            cause="nightly",
                        )
                        for customer_id, level in plan
                    ],
                    batch_size=2000,
                )
                asked = notices_for_rating_changes(history_rows=rows)
                t_rows = time.perf_counter()
            t_queued = time.perf_counter()  # on_commit has queued the tasks
            busy = Q(status__in=[NoticeStatus.PENDING, NoticeStatus.SENDING])
            while Notice.objects.filter(busy).exists():
                if worker.poll() is not None:
                    raise SystemExit("the worker died; see bench/out/notices-worker.log")
                time.sleep(0.2)
            t_done = time.perf_counter()
            cpu = _cpu_seconds(worker.pid) - cpu0
            sent = Notice.objects.filter(status=NoticeStatus.SENT).count()
            failed = Notice.objects.filter(status=NoticeStatus.FAILED).count()
            total = t_done - t_rows
            figures.setdefault("write rows in the transaction (s)", []).append(t_rows - t0)
            figures.setdefault("commit + queue the tasks (s)", []).append(t_queued - t_rows)
            figures.setdefault("commit to last notice sent (s)", []).append(total)
            figures.setdefault("notices per second", []).append(sent / total)
            figures.setdefault("worker CPU time (s)", []).append(cpu)
            print(
                f"run {run}: {len(rows)} changes -> {asked} notices; rows {t_rows - t0:.1f} s, queued "
                f"{t_queued - t_rows:.1f} s, all sent {total:.1f} s after commit ({sent} sent, {failed} failed, "
                f"{sent / total:.0f}/s); worker CPU {cpu:.1f} s; load average {load0:.1f}"
            )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    print(f"\nmedians of {args.runs} runs:")
    for key, values in figures.items():
        print(f"  {key}: {statistics.median(values):.1f}")


if __name__ == "__main__":
    main()
