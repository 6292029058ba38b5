"""The scheduler's planning tick at 1.000.000 message events against the same tick at
10.000; prints a table with the ratio measured in one run.

    .venv/bin/python -m bench.scale_data --database FULL --factor 100
    .venv/bin/python -m bench.scale_data --database SMALL --factor 100 --events 10000
    .venv/bin/python -m bench.planner --full FULL --small SMALL [--repeat 5]

Both stores hold the same programmes, milestones, meetings and subscriptions; they
differ only in the iJw message events. A tick is `scheduler.planner.plan` at a fixed
moment (a Monday at the posting time, so reminders, digests, BOSD posts and the
declarations digest are all planned), in a transaction that is rolled back so every
repetition does the same work. Target: ≤ 2× (cost follows what is due, not what is
stored).

For information it also times rendering the weekly declarations digest
(`commands.declaraties.weekly_digest`), which the sender does once a week per channel
and which reads every event by design (KPIs over the year).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from datetime import time as clock_time

from commands.declaraties import weekly_digest
from scheduler.planner import Schedule, moment, plan
from storage.db import make_engine, make_sessionmaker
from storage.declarations import count_events

# A Monday in the plan year, at the default posting time.
NOW = moment(date(2020, 3, 2), clock_time(9, 0))


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(url: str, repeat: int, digest: bool) -> dict:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    schedule = Schedule()

    def tick():
        with factory() as session:
            session.begin()
            report = plan(session, now=NOW, schedule=schedule)
            session.rollback()
            return len(report.planned)

    def render():
        with factory() as session:
            return weekly_digest(session, week_ending=date(2020, 3, 1))

    with factory() as session:
        events = count_events(session)
    tick()  # warm caches (statement cache, pages) alike for both stores
    t_tick, planned = best(tick, repeat)
    t_digest = best(render, max(1, repeat // 2))[0] if digest else float("nan")
    engine.dispose()
    return dict(events=events, tick=t_tick, planned=planned, digest=t_digest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner")
    parser.add_argument("--full", required=True, metavar="URL")
    parser.add_argument("--small", required=True, metavar="URL")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-digest", action="store_true",
                        help="skip timing the weekly declarations digest")
    args = parser.parse_args(argv)
    small = measure(args.small, args.repeat, not args.no_digest)
    full = measure(args.full, args.repeat, not args.no_digest)
    print(f"planning tick at {NOW.isoformat()}, best of {args.repeat}")
    print(f"{'store':<8} {'events':>10} {'posts planned':>14} {'tick ms':>9} {'digest ms':>10}")
    for name, row in (("small", small), ("full", full)):
        print(f"{name:<8} {row['events']:>10} {row['planned']:>14} {row['tick'] * 1000:9.1f} "
              f"{row['digest'] * 1000:10.1f}")
    ratio = full["tick"] / small["tick"]
    print(f"tick full / small: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'})")
    if not args.no_digest:
        print(f"weekly declarations digest full / small: {full['digest'] / small['digest']:.1f}× "
              "(reads every event; once a week, not part of the tick)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
