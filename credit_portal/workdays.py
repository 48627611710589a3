"""Working days by the official Chinese holiday calendar (chinesecalendar): holidays off, make-up Saturdays on."""

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    """A working day as the State Council's calendar declares it; weekends only, beyond the years it knows."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end is not after start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
