"""Benchmark of a rule set's impact run beside the nightly re-rating, on the same data, in the same run.

    .venv/bin/python bench/impact.py [--customers 1000000] [--runs 3] [--workers 2]

Issue 15's target: the impact of a draft on 1,000,000 customers with 5,000,000 events in at most
twice the time of the nightly run on the same machine, memory flat. The archive is bench/rerate.py's
(its database ``bench_rerate``, its generator, reused while its parameters match); nothing here
copies it. Per run:

N. the nightly re-rate 30 days on (bench/rerate.py's run B, after its go-live run A), through
   ``bench.rerate.full_rerate`` (``ratings.bulk.rerate_range`` in ``--workers`` processes);
I. the impact of a draft moving yellow.1 from 2 months of arrears to 1 (version 2 of the rule set,
   written once in the bench database) against the version in force, as of the same date:
   ``ratings.impact.impact_range_run`` over the ranges ``impact_start`` planned, in the same
   number of processes, each evaluating every customer under both rule sets from one read of its
   facts. Nothing is written to the ratings.

Printed: wall seconds, CPU seconds (workers and their PostgreSQL backends), peak worker memory, and
the ratio impact / nightly (wall and CPU), per run and as medians.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import rerate  # noqa: E402
from bench.common import ensure_database  # noqa: E402

DRAFT_NOTE = "bench: yellow.1 from 2 months of arrears to 1"


def draft_rule_set():
    """Version 2 in the bench database (a draft: yellow.1 from 2 months to 1), written once."""
    import copy

    from ratings import rules
    from ratings.models import RuleSet, RuleSetStatus

    found = RuleSet.objects.filter(note=DRAFT_NOTE).first()
    if found is not None:
        return found
    parameters = copy.deepcopy(rules.V1_PARAMETERS)
    parameters["yellow.1"]["arrears_months"] = 1
    wordings = {"yellow.1": "拖欠电费1个月及以上3个月以内"}
    assert not rules.validate_parameters(parameters, wordings)
    version = (RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 1) + 1
    return RuleSet.objects.create(
        version=version, status=RuleSetStatus.DRAFT, parameters=parameters, wordings=wordings, note=DRAFT_NOTE
    )


_CPU_AT_START = 0.0


def _worker_warm(_: int) -> int:
    global _CPU_AT_START
    _CPU_AT_START = rerate._cpu_seconds()
    time.sleep(0.3)  # each worker takes one: all are set up before the clock starts
    return os.getpid()


def _worker_impact_range(range_id: int) -> dict:
    from ratings.impact import impact_range_run

    impact_range_run(range_id=range_id)
    return {
        "pid": os.getpid(),
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "cpu": rerate._cpu_seconds() - _CPU_AT_START,
    }


def impact_run(dsn: str, as_of, *, workers: int, range_size: int) -> dict:
    """One impact run of the bench draft against the version in force, its ranges on ``workers`` processes."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ratings.impact import impact_start
    from ratings.models import ImpactRange, ImpactReport

    user, _ = get_user_model().objects.get_or_create(username="bench-impact", defaults={"is_superuser": True})
    if not user.is_superuser:
        user.is_superuser = True
        user.save()
    ImpactReport.objects.filter(requested_by=user).delete()
    draft = draft_rule_set()
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=rerate._worker_init, initargs=(dsn,)) as pool:
        pool.map(_worker_warm, range(workers), chunksize=1)
        started = time.perf_counter()
        # Not eager: the range tasks impact_start queues go to the in-memory transport; the pool runs them.
        report = impact_start(proposed=draft, as_of=as_of, actor=user, range_size=range_size)
        ids = list(ImpactRange.objects.filter(report=report).order_by("start_id").values_list("pk", flat=True))
        last: dict[int, dict] = {}
        for info in pool.imap_unordered(_worker_impact_range, ids, chunksize=1):
            last[info["pid"]] = info
        seconds = time.perf_counter() - started
    report.refresh_from_db()
    connection.close()
    worker_mb = [info["maxrss"] / 1024 for info in last.values()]
    return {
        "seconds": seconds,
        "cpu": sum(info["cpu"] for info in last.values()),
        "worker_peak_mb": max(worker_mb) if worker_mb else 0.0,
        "customers": report.customers,
        "moved": report.consequences.get("moved", 0),
        "status": report.status,
        "ranges": len(ids),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events-per-customer", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes standing in for Celery workers")
    parser.add_argument("--range-size", type=int, help="customer ids per range task (default: the product's)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the synthetic data")
    parser.add_argument("--dsn", default=rerate.DEFAULT_DSN, help="the bench database (never the portal's)")
    args = parser.parse_args()
    if not args.dsn.rsplit("/", 1)[1].startswith("bench"):
        parser.error("--dsn must name a bench database (bench…): this script truncates its tables")

    ensure_database(args.dsn)
    rerate.django_setup(args.dsn)
    from django.core.management import call_command

    from ratings import bulk

    call_command("migrate", verbosity=0)
    events = round(args.customers * args.events_per_customer)
    print(f"# bench/impact.py — PostgreSQL {args.dsn}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.regenerate or not rerate.data_matches(args.customers, events):
        print(f"generating {args.customers:,} customers and {events:,} events (bench/rerate.py's generator) …")
        timings = rerate.generate(args.customers, events)
        print("  generated in " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    data = rerate.describe_data()
    print("archive: " + ", ".join(f"{v:,} {k}" if isinstance(v, int) else f"{k} {v}" for k, v in data.items()))
    range_size = args.range_size or (
        bulk.DEFAULT_RANGE_SIZE
        if args.customers >= 8 * bulk.DEFAULT_RANGE_SIZE
        else max(1, math.ceil(args.customers / 8))
    )
    later = rerate.BASE_AS_OF + timedelta(days=rerate.LATER_DAYS)
    print(
        f"{args.workers} worker processes (standing in for Celery workers), range size {range_size:,}; "
        f"nightly = the re-rate as of {later} after a go-live re-rate as of {rerate.BASE_AS_OF}; "
        f"impact = draft yellow.1 2 → 1 month against the version in force, as of {later}"
    )
    runs = []
    for run in range(1, args.runs + 1):
        rerate.reset_ratings()
        rerate.full_rerate(args.dsn, rerate.BASE_AS_OF, workers=args.workers, range_size=range_size)
        nightly = rerate.full_rerate(args.dsn, later, workers=args.workers, range_size=range_size)
        impact = impact_run(args.dsn, later, workers=args.workers, range_size=range_size)
        assert impact["status"] == "done" and impact["customers"] == nightly["customers"], impact
        figures = {
            "nightly_s": nightly["seconds"],
            "nightly_cpu": nightly["cpu"],
            "nightly_mb": nightly["worker_peak_mb"],
            "impact_s": impact["seconds"],
            "impact_cpu": impact["cpu"],
            "impact_mb": impact["worker_peak_mb"],
            "ratio": impact["seconds"] / nightly["seconds"],
            "ratio_cpu": impact["cpu"] / nightly["cpu"] if nightly["cpu"] else float("nan"),
            "moved": impact["moved"],
            "customers": impact["customers"],
        }
        runs.append(figures)
        print(
            f"run {run}: nightly {figures['nightly_s']:.1f} s (CPU {figures['nightly_cpu']:.1f} s, "
            f"{figures['nightly_mb']:.0f} MB/worker) | impact {figures['impact_s']:.1f} s "
            f"(CPU {figures['impact_cpu']:.1f} s, {figures['impact_mb']:.0f} MB/worker, "
            f"{figures['moved']:,} of {figures['customers']:,} customers move) | "
            f"ratio {figures['ratio']:.2f}× wall, {figures['ratio_cpu']:.2f}× CPU",
            flush=True,
        )
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(
        f"median of {len(runs)}: nightly {median['nightly_s']:.1f} s (CPU {median['nightly_cpu']:.1f} s), "
        f"impact {median['impact_s']:.1f} s (CPU {median['impact_cpu']:.1f} s), peak memory per worker "
        f"{median['nightly_mb']:.0f} / {median['impact_mb']:.0f} MB; impact / nightly = {median['ratio']:.2f}× "
        f"wall, {median['ratio_cpu']:.2f}× CPU (target ≤ 2×)"
    )


if __name__ == "__main__":
    main()
