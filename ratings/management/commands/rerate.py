"""``manage.py rerate [--as-of DATE] [--range-size N] [--queue] [--full]``: re-rate every customer."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import NoReturn

from django.core.management.base import BaseCommand
from django.utils import timezone

from ratings import rules
from ratings.bulk import DEFAULT_RANGE_SIZE
from ratings.models import RatingCause
from ratings.nightly import rerate_all

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Rows of the summary, best level first, 未定级 last.
_LEVEL_ORDER = (*rules.LEVELS, rules.UNRATED)


class Command(BaseCommand):
    help = (
        "Re-rate every customer as of a date (default today), range by range in this process, or with "
        "--queue as Celery tasks; prints the customers per level and how many ratings changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="evaluation date YYYY-MM-DD, not after today")
        parser.add_argument(
            "--range-size",
            dest="range_size",
            default=str(DEFAULT_RANGE_SIZE),
            help=f"customer ids per range (default {DEFAULT_RANGE_SIZE})",
        )
        parser.add_argument("--queue", action="store_true", help="dispatch one Celery task per range instead")
        parser.add_argument(
            "--full",
            action="store_true",
            help="evaluate every customer, also those whose rating holds (facts written behind the portal's back)",
        )

    def handle(self, *args, as_of: str | None, range_size: str, queue: bool, full: bool = False, **options) -> None:
        today = timezone.localdate()
        day = self._as_of(as_of, today) if as_of is not None else today
        size = self._range_size(range_size)
        if queue:
            from ratings.nightly import rerate_enqueue

            count = rerate_enqueue(as_of=day, cause=RatingCause.MANUAL, range_size=size, skip_stable=not full)
            self.stdout.write(f"已派发 dispatched {count} range tasks as of {day.isoformat()} (range size {size})")
            return
        stats = rerate_all(as_of=day, cause=RatingCause.MANUAL, range_size=size, skip_stable=not full)
        self.stdout.write(
            f"重新评定 re-rated as of {day.isoformat()}: {stats.customers} customers in {stats.ranges} ranges, "
            f"{stats.seconds:.1f} s"
        )
        for level in _LEVEL_ORDER:
            label = rules.LEVEL_LABELS[level]
            padding = " " * (8 - 2 * len(label))  # a Chinese character takes two columns
            self.stdout.write(f"  {level:<8} {label}{padding}{stats.levels.get(level, 0):>10}")
        self.stdout.write(
            f"变更 changed: {stats.written} (新评定 new {stats.created}, 等级变化 level changed "
            f"{stats.level_changes}, 已由更新的评定取代 skipped {stats.skipped}, 提醒与告知 notices {stats.notices}, "
            f"评定仍有效未重读 stable {stats.stable}); "
            f"到期结束的人工调整 overrides ended: {stats.overrides_ended}"
        )

    def _as_of(self, value: str, today: date) -> date:
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            self._fail(f"--as-of: must be a date YYYY-MM-DD, got {value!r}")
        if day > today:
            self._fail(f"--as-of: {day.isoformat()} is after today ({today.isoformat()})")
        return day

    def _range_size(self, value: str) -> int:
        if not value.isdigit() or int(value) < 1:
            self._fail(f"--range-size: must be a whole number ≥ 1, got {value!r}")
        return int(value)

    def _fail(self, message: str) -> NoReturn:
        # One line on stderr and exit status 2, as evaluate_facts does for bad input.
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
        raise SystemExit(2)
