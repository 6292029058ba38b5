"""Derive the kept declaration obligations of a store from all its events (issue 15 #2):
what the first evaluation after migration 0015, or a bulk load such as bench.scale_data,
leaves to do. Prints how long it took.

    .venv/bin/python -m bench.derive_obligations --database URL
"""

from __future__ import annotations

import argparse
import time

from storage.db import make_engine, make_sessionmaker, normalise_url, transaction
from storage.declarations import obligations
from storage.migrate import upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.derive_obligations")
    parser.add_argument("--database", required=True, metavar="URL")
    args = parser.parse_args(argv)
    url = normalise_url(args.database)
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    started = time.perf_counter()
    with transaction(factory) as session:
        events = obligations.refresh(session)
    print(f"derived the obligations of {events:,} events in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
