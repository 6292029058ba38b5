"""The scheduler's planning tick: set-based against one statement per post, and at
1.000.000 message events against the same tick at 10.000; prints tables with the ratios
measured in one run.

    .venv/bin/python -m bench.scale_data --database FULL --factor 100
    .venv/bin/python -m bench.scale_data --database SMALL --factor 100 --events 10000
    .venv/bin/python -m bench.planner --full FULL [--small SMALL] [--repeat 5]

Set-based against one by one (issue 16 point 4): the same tick on the full store, once
as the planner plans (`scheduler.planner.plan`: a multi-row INSERT … ON CONFLICT DO
NOTHING and one lookup of what to supersede for all posts) and once the way it planned
before (`OneByOne` below: an INSERT and an UPDATE per post, through the same
`storage.deliveries` functions), alternating, best of `--repeat` each. The baseline is
that earlier planner on the same store, engine and moment, with the same candidate
posts; it is not a lower bound (reading the milestones and deciding the stages is the
same work in both). The delivery rows each leaves behind (every column but the id) are
compared: "same rows" must say yes.
Target: ≥ 5×.

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
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from commands.declaraties import weekly_digest
from scheduler.planner import PlanReport, Schedule, _Planner, moment, plan
from storage import deliveries as store
from storage.db import make_engine, make_sessionmaker
from storage.declarations import count_events

# A Monday in the plan year, at the default posting time.
NOW = moment(date(2020, 3, 2), clock_time(9, 0))


class OneByOne(_Planner):
    """The planner as it was before it planned set-based: the same candidates, then an
    INSERT … ON CONFLICT DO NOTHING and an UPDATE of its group per post. The reference
    the set-based planner must agree with (here and in tests/scheduler)."""

    def insert(self) -> None:
        known = store.existing_keys(self.session, keys=[c["key"] for c in self.candidates])
        for values in self.candidates:
            if values["key"] in known:
                continue
            if store.plan_delivery(self.session, now=self.now, **values):
                self.report.planned.append(values["key"])
            self.report.superseded += store.supersede_group(
                self.session, group_key=values["group_key"], keep_key=values["key"],
                now=self.now,
            )


def plan_one_by_one(session: Session, *, now: datetime, schedule: Schedule) -> PlanReport:
    return OneByOne(session, now, schedule).run()


def delivery_rows(session: Session) -> list[tuple[Any, ...]]:
    """Every delivery row as a sortable tuple of what a planner decides (not the id:
    PostgreSQL does not roll its sequences back)."""
    table = store.Delivery.__table__
    columns = [c for c in table.c if c.name != "id"]
    return sorted(
        (tuple(repr(value) for value in row) for row in session.execute(select(*columns))),
    )


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def tick(factory: sessionmaker[Session], planner: Callable[..., PlanReport],
         rows: list[list[tuple[Any, ...]]] | None = None) -> int:
    """One tick in a transaction that is rolled back (every repetition does the same
    work); the rows it left are appended to `rows` when given."""
    with factory() as session:
        session.begin()
        report = planner(session, now=NOW, schedule=Schedule())
        if rows is not None:
            rows.append(delivery_rows(session))
        session.rollback()
        return len(report.planned)


def measure(url: str, repeat: int, digest: bool) -> dict:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)

    def render():
        with factory() as session:
            return weekly_digest(session, week_ending=date(2020, 3, 1))

    with factory() as session:
        events = count_events(session)
    tick(factory, plan)  # warm caches (statement cache, pages) alike for both stores
    t_tick, planned = best(lambda: tick(factory, plan), repeat)
    t_digest = best(render, max(1, repeat // 2))[0] if digest else float("nan")
    engine.dispose()
    return dict(events=events, tick=t_tick, planned=planned, digest=t_digest)


def compare(url: str, repeat: int) -> dict:
    """Set-based against one by one on one store, alternating; and their rows."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    rows: dict[str, list] = {"set": [], "one": []}
    times: dict[str, list[float]] = {"set": [], "one": []}
    planned: dict[str, int] = {}
    planners = {"set": plan, "one": plan_one_by_one}
    for name, planner in planners.items():  # warm both
        planned[name] = tick(factory, planner, rows[name])
    for _ in range(repeat):
        for name, planner in planners.items():
            start = time.perf_counter()
            tick(factory, planner)
            times[name].append(time.perf_counter() - start)
    engine.dispose()
    return dict(planned=planned, set=min(times["set"]), one=min(times["one"]),
                same=rows["set"] == rows["one"] and bool(rows["set"][0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner")
    parser.add_argument("--full", required=True, metavar="URL")
    parser.add_argument("--small", metavar="URL",
                        help="the same store with fewer events, for the ratio by events")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-digest", action="store_true",
                        help="skip timing the weekly declarations digest")
    args = parser.parse_args(argv)
    print(f"planning tick at {NOW.isoformat()}, best of {args.repeat}")
    versus = compare(args.full, args.repeat)
    print(f"{'planner':<24} {'posts planned':>14} {'tick ms':>9}")
    print(f"{'set-based':<24} {versus['planned']['set']:>14} {versus['set'] * 1000:9.1f}")
    print(f"{'one by one (baseline)':<24} {versus['planned']['one']:>14} "
          f"{versus['one'] * 1000:9.1f}")
    speedup = versus["one"] / versus["set"]
    print(f"one by one / set-based: {speedup:.1f}× (target ≥ 5×: "
          f"{'met' if speedup >= 5 else 'MISSED'}); same rows: "
          f"{'yes' if versus['same'] else 'NO'}")
    if not args.small:
        return 0 if versus["same"] else 1
    small = measure(args.small, args.repeat, not args.no_digest)
    full = measure(args.full, args.repeat, not args.no_digest)
    print(f"{'store':<8} {'events':>10} {'posts planned':>14} {'tick ms':>9} {'digest ms':>10}")
    for name, row in (("small", small), ("full", full)):
        print(f"{name:<8} {row['events']:>10} {row['planned']:>14} {row['tick'] * 1000:9.1f} "
              f"{row['digest'] * 1000:10.1f}")
    ratio = full["tick"] / small["tick"]
    print(f"tick full / small: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'})")
    if not args.no_digest:
        print(f"weekly declarations digest full / small: {full['digest'] / small['digest']:.1f}× "
              "(reads every event; once a week, not part of the tick)")
    return 0 if versus["same"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
