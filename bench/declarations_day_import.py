"""A day's iJw messages into a store, timed: `import_declarations` as `regiobot import`
runs it, with the time of the derivation of the kept obligations in it
(`obligations.refresh`) apart (issue 15 #2: no slower than before obligations were kept).

    regiobot demo-data declarations --messages 3000 --seed 99 --format csv --out /tmp/day
    createdb -h 127.0.0.1 -U postgres -T regiobot_decl_x10 regiobot_decl_x10_run
    .venv/bin/python -m bench.declarations_day_import \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/regiobot_decl_x10_run /tmp/day

The store is changed: give it a copy (`createdb -T`), a fresh one for every run.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from storage.db import make_engine, make_sessionmaker, normalise_url, transaction
from storage.declarations import importing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.declarations_day_import")
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("paths", nargs="+", type=Path, help="the day's files or folders")
    args = parser.parse_args(argv)
    factory = make_sessionmaker(make_engine(normalise_url(args.database)))
    derivation = derivation_cpu = 0.0
    # (Code from before the obligations were kept has no derivation to time.)
    refresh = getattr(getattr(importing, "obligations", None), "refresh", None)

    def timed_refresh(*a, **kw):
        nonlocal derivation, derivation_cpu
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return refresh(*a, **kw)
        finally:
            derivation += time.perf_counter() - started
            derivation_cpu += time.process_time() - cpu

    if refresh is not None:
        importing.obligations.refresh = timed_refresh  # type: ignore[attr-defined]
    started, cpu = time.perf_counter(), time.process_time()
    with transaction(factory) as session:
        report = importing.import_declarations(session, args.paths, now=datetime(2021, 1, 4, 9, tzinfo=UTC))
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    # This process's CPU time apart: less at the mercy of a shared machine's load than the
    # wall time (the database server's share is not in it).
    print(f"imported {dict(report.counts)} in {total:.2f} s, of which the derivation {derivation:.2f} s"
          f" (CPU here {total_cpu:.2f} s, derivation {derivation_cpu:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
