"""Working days ("werkdagen", docs/architecture.md §4): Monday–Friday minus the algemeen erkende
feestdagen of the Algemene termijnenwet.

`holidays.NL` with the optional category gives exactly that set (Goede Vrijdag and
Bevrijdingsdag every year are "optional" there); the package version is pinned.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar_of(year: int) -> dict[date, str]:
    return dict(holidays.NL(years=year, categories=("public", "optional"), language="nl"))


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(_calendar_of(year))


def holiday_name(day: date) -> str | None:
    """The Dutch name when `day` is an algemeen erkende feestdag ("Bevrijdingsdag"), else None."""
    return _calendar_of(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (before it, for a negative count).

    `start` itself never counts: five working days after Thursday 30 April 2020 is
    Friday 8 May 2020 (1 May, 4 May, 6 May, 7 May, 8 May; 5 May is Bevrijdingsdag).
    """
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
