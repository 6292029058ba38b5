"""A day's iJw messages into a store, timed: `import_declarations` as `regiobot import`
runs it (issue 15 #2: no slower than before obligations were kept), and then, apart, the
derivation of the kept obligations that the clock makes of it at its next tick
(`obligations.refresh`, in a transaction of its own).

    regiobot demo-data declarations --messages 3000 --seed 99 --format csv --out /tmp/day
    createdb -h 127.0.0.1 -U postgres -T regiobot_decl_x10 regiobot_decl_x10_run
    .venv/bin/python -m bench.declarations_day_import \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/regiobot_decl_x10_run /tmp/day

The store is changed: give it a copy (`createdb -T`), a fresh one for every run. Code
from before the obligations were kept (run with its tree on PYTHONPATH) has no
derivation; code from when the import derived (before the clock did) has it inside the
import, and it is timed apart there too. `--then answer`: instead of the clock, the
overview asked right after the import, before the clock's tick — it derives first.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime
from pathlib import Path

from storage.db import make_engine, make_sessionmaker, normalise_url, transaction
from storage.declarations import importing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.declarations_day_import")
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("paths", nargs="+", type=Path, help="the day's files or folders")
    parser.add_argument("--then", choices=("clock", "answer"), default="clock",
                        help="after the import: the clock's tick (default), or an answer "
                             "asked before it (`/regio declaraties`, all providers)")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2020, 6, 30),
                        help="the day that answer is asked as of (default 2020-06-30)")
    args = parser.parse_args(argv)
    factory = make_sessionmaker(make_engine(normalise_url(args.database)))
    try:
        from storage.declarations import obligations
    except ImportError:
        obligations = None  # type: ignore[assignment]
    inside = inside_cpu = 0.0
    refresh = getattr(obligations, "refresh", None)
    if refresh is not None and getattr(importing, "obligations", None) is not None:
        def timed_refresh(*a, **kw):
            nonlocal inside, inside_cpu
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return refresh(*a, **kw)
            finally:
                inside += time.perf_counter() - started
                inside_cpu += time.process_time() - cpu

        importing.obligations.refresh = timed_refresh  # type: ignore[attr-defined]
    started, cpu = time.perf_counter(), time.process_time()
    with transaction(factory) as session:
        report = importing.import_declarations(session, args.paths, now=datetime(2021, 1, 4, 9, tzinfo=UTC))
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    # This process's CPU time apart: less at the mercy of a shared machine's load than the
    # wall time (the database server's share is not in it).
    print(f"imported {dict(report.counts)} in {total:.2f} s (CPU here {total_cpu:.2f} s)"
          + (f", of which deriving {inside:.2f} s (CPU {inside_cpu:.2f} s)" if inside else ""))
    if refresh is not None and not inside:
        started, cpu = time.perf_counter(), time.process_time()
        with transaction(factory) as session:
            if args.then == "answer":
                kpis = len(obligations.evaluate(session, today=args.today).per)
                what = f"the first overview as of {args.today} ({kpis} KPI rows), deriving first, took"
            else:
                what = f"then the clock derived {refresh(session)} event(s) in"
        print(f"{what} {time.perf_counter() - started:.2f} s (CPU here {time.process_time() - cpu:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
