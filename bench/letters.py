"""Benchmark of the notification-letter PDFs (DESIGN.md, Targets: one letter ≤ 1 s, 1,000 in one PDF ≤ 60 s).

    .venv/bin/python bench/letters.py [--runs 3] [--batch 1000]

Letters are the real template (`templates/notifications/letter.html`) filled with contents built
the way `notifications.services.letters.letter_compose` builds them, from synthetic red and black
customers evaluated by the rules module (no database needed). Each run is a fresh process, so
the figures include loading the font; the cut font (`credit_portal.pdf.pdf_font_path`) is
prepared before the runs and its preparation time is printed separately.

A. importing WeasyPrint, the first letter of the process (fontconfig loads the cut font), then one
   warm letter;
B. the same letter with the stock Noto Serif CJK SC of the system (no cut font), for the ratio;
C. a print batch of --batch letters as one PDF as the print job makes it
   (`credit_portal.pdf_parts.render_pdf_batch_parallel`: one part per core, each rendered by its own
   process with `render_pdf_batch`, joined with pypdf), with its CPU time (the parts included) and the
   coordinating process's peak memory, and the same for a quarter of the batch.

Medians of --runs runs are printed last.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")

AS_OF = date(2026, 11, 28)
NAMES = ("淮阴区恒泰精密机械制造有限公司", "淮安市淮阴区鑫源纺织印染有限公司", "江苏淮阴宏达新型建材有限公司")


def _setup() -> None:
    import django

    django.setup()


def letter_contents(index: int) -> dict:
    """One letter's contents, as letter_compose makes them, for a synthetic red or black customer."""
    from notifications import texts
    from notifications.services.letters import ISSUER, LETTERHEAD, letter_reference
    from ratings import rules
    from ratings.selectors import LEVEL_CONSEQUENCES, PLAN_NUMBER, PLAN_TITLE

    events = [rules.Event("late_payment", AS_OF - timedelta(days=20 + 45 * k), ref=k) for k in range(3 + index % 3)] + [
        rules.Event("theft", AS_OF - timedelta(days=100), amount_yuan=Decimal("86000"), ref=99)
    ]
    facts = rules.Facts(
        as_of=AS_OF, payment_method="postpaid", arrears_since=AS_OF - timedelta(days=75), events=tuple(events)
    )
    result = rules.evaluate(facts)
    findings = {f.rule: f for f in result.findings}
    from datetime import datetime
    from zoneinfo import ZoneInfo

    created = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return {
        "reference": letter_reference(letter_id=100000 + index, created_at=created),
        "issued_on": AS_OF.isoformat(),
        "issuer": ISSUER,
        "letterhead": LETTERHEAD,
        "hotline": "95598",
        "customer": {
            "name": f"{NAMES[index % len(NAMES)]}（{index}）",
            "uscc": f"91320804MA{index:07d}X"[:18],
            "address": f"江苏省淮安市淮阴区长江东路{index % 300 + 1}号",
            "contact_person": "王经理",
        },
        "level": result.level,
        "level_label": rules.LEVEL_LABELS[result.level],
        "previous_level_label": "黄色",
        "as_of": AS_OF.isoformat(),
        "rules": [
            {
                "id": rule,
                "plan_text": rules.CRITERIA_BY_ID[rule].plan_text,
                "condition": rules.CRITERIA_BY_ID[rule].condition,
                "facts": findings[rule].text,
                "evidence": [{"on": e.on.isoformat() if e.on else "", "text": e.text} for e in findings[rule].evidence],
            }
            for rule in result.rules
        ],
        "override_reason": "",
        "meaning": LEVEL_CONSEQUENCES[result.level].plan_text,
        "portal_meaning": LEVEL_CONSEQUENCES[result.level].portal_text,
        "improvements": list(result.improvements),
        "objection": texts.LETTER_OBJECTION,
        "closing": texts.LETTER_CLOSING,
        "plan_title": PLAN_TITLE,
        "plan_number": PLAN_NUMBER,
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, batch: int) -> dict:
    _setup()
    from credit_portal import pdf

    template = "notifications/letter.html"
    if mode == "single":
        pdf.pdf_font_path()
        started = time.perf_counter()
        import weasyprint  # noqa: F401 - timed apart: a worker imports it once, at start

        imported = time.perf_counter() - started
        started = time.perf_counter()
        first = pdf.render_pdf(template, {"letter": letter_contents(0)})
        cold = time.perf_counter() - started
        started = time.perf_counter()
        pdf.render_pdf(template, {"letter": letter_contents(1)})
        warm = time.perf_counter() - started
        return {"import_s": imported, "cold_s": cold, "warm_s": warm, "bytes": len(first), "peak_mb": _peak_mb()}
    if mode == "stock":
        # The same letter with the system's full Noto Serif CJK SC: what WeasyPrint costs without the cut.
        from django.template.loader import render_to_string
        from weasyprint import HTML

        context = {"letter": letter_contents(0), "pdf_font_css": "", "pdf_font_family": '"Noto Serif CJK SC", serif'}
        started = time.perf_counter()
        html = render_to_string(template, context)
        content = HTML(string=html).write_pdf()
        return {"stock_s": time.perf_counter() - started, "bytes": len(content)}
    if mode == "batch":
        pdf.pdf_font_path()
        contents = [letter_contents(i) for i in range(batch)]
        base_mb = _peak_mb()
        load = os.getloadavg()[0]
        from credit_portal.pdf_parts import render_pdf_batch_parallel

        def cpu_now() -> float:  # this process and the part processes it waited for
            own, parts = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return own.ru_utime + own.ru_stime + parts.ru_utime + parts.ru_stime

        started, cpu_started = time.perf_counter(), cpu_now()
        # As the print job does: cut into one part per core, rendered side by side, joined (pypdf).
        content = render_pdf_batch_parallel(template, [{"letter": c} for c in contents])
        seconds, cpu = time.perf_counter() - started, cpu_now() - cpu_started
        return {
            "batch": batch,
            "seconds": seconds,
            "cpu_s": cpu,
            "load": load,
            "bytes": len(content),
            "peak_mb": _peak_mb(),
            "base_mb": base_mb,
        }
    raise SystemExit(f"unknown mode {mode}")


def _run_child(mode: str, batch: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--batch", str(batch)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.batch)))
        return

    _setup()
    from credit_portal import pdf

    started = time.perf_counter()
    path = pdf.pdf_font_path()
    print(f"cut font: {path} ({path.stat().st_size // 1024} KiB), ready in {time.perf_counter() - started:.1f} s")
    results: dict[str, list[float]] = {}

    def note(key: str, value: float) -> None:
        results.setdefault(key, []).append(value)

    for run in range(1, args.runs + 1):
        single = _run_child("single")
        stock = _run_child("stock")
        quarter = _run_child("batch", max(1, args.batch // 4))
        full = _run_child("batch", args.batch)
        note("A importing WeasyPrint in a fresh process (s)", single["import_s"])
        note("A first letter of a process, WeasyPrint imported (s)", single["cold_s"])
        note("A one letter, warm (s)", single["warm_s"])
        note("B one letter with the stock font (s)", stock["stock_s"])
        note(f"C batch of {quarter['batch']} (s)", quarter["seconds"])
        note(f"C batch of {quarter['batch']}: peak RSS (MB)", quarter["peak_mb"])
        note(f"C batch of {args.batch} (s)", full["seconds"])
        note(f"C batch of {args.batch}: CPU time (s)", full["cpu_s"])
        note(f"C batch of {args.batch}: peak RSS (MB)", full["peak_mb"])
        note(f"C batch of {args.batch}: PDF size (MB)", full["bytes"] / 1e6)
        print(
            f"run {run}: import {single['import_s']:.2f} s, first {single['cold_s']:.3f} s, "
            f"warm {single['warm_s']:.3f} s, "
            f"stock font {stock['stock_s']:.2f} s; batch {quarter['batch']}: {quarter['seconds']:.1f} s "
            f"{quarter['peak_mb']:.0f} MB; batch {args.batch}: {full['seconds']:.1f} s (CPU {full['cpu_s']:.1f} s, "
            f"load average {full['load']:.1f}) {full['peak_mb']:.0f} MB "
            f"({full['bytes'] / 1e6:.1f} MB PDF)"
        )
    print("\nmedians of", args.runs, "runs:")
    for key, values in results.items():
        print(f"  {key}: {statistics.median(values):.3f}")
    stock_s = statistics.median(results["B one letter with the stock font (s)"])
    warm_s = statistics.median(results["A one letter, warm (s)"])
    print(f"  stock font / cut font, one warm letter: {stock_s / warm_s:.0f}×")


if __name__ == "__main__":
    main()
