"""The one clock: every "today" and "now" in Regiobot comes from here.

Times are Europe/Amsterdam for people and UTC in the store. `REGIOBOT_TODAY` (or the
`--today` option, which sets it) pins the date, so the 2020 programme can be run as if
it were a day in 2020; the time of day then still moves with the real clock.

One deliberate exception: whether a delivery claim is stale is judged by the
database's clock (`storage.db.database_utcnow`, docs/scheduler.md), so that processes
whose clocks disagree agree on it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _pinned_today() -> date | None:
    value = os.environ.get("REGIOBOT_TODAY", "").strip()
    return date.fromisoformat(value) if value else None


def now() -> datetime:
    """The current moment, timezone-aware in Europe/Amsterdam."""
    real = datetime.now(tz=AMSTERDAM)
    pinned = _pinned_today()
    if pinned is None:
        return real
    return datetime.combine(pinned, real.timetz().replace(tzinfo=None), tzinfo=AMSTERDAM)


def utcnow() -> datetime:
    """The current moment in UTC, as stored."""
    return now().astimezone(UTC)


def today() -> date:
    """Today's date in Europe/Amsterdam."""
    return now().date()


def set_today(value: date | str | None) -> None:
    """Pin (or with None unpin) today's date for this process."""
    if value is None:
        os.environ.pop("REGIOBOT_TODAY", None)
    else:
        os.environ["REGIOBOT_TODAY"] = value if isinstance(value, str) else value.isoformat()


def at_amsterdam(day: date, clock_time: time) -> datetime:
    """A wall-clock time on a day in Europe/Amsterdam as an aware datetime."""
    return datetime.combine(day, clock_time, tzinfo=AMSTERDAM)
