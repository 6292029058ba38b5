"""iJw XML import against lxml parsing and validating the same files alone; prints a
table with the ratio measured in one run.

    .venv/bin/python -m bench.ijw_import [--messages 5000] [--database URL] [--repeat 3]

Writes `--messages` generated iJw 3.2 messages (storage.declarations.demo) as XML files
to a temporary folder, then times, best of `--repeat` (the two alternating):

- lxml alone: `etree.parse` and `XMLSchema.validate` of every file against its XSD
  (schemas loaded beforehand);
- `storage.declarations.ijw_xml.import_ijw` of the folder into a fresh, migrated store
  (validation, extraction, providers, assignments, events; committed); from 512 files
  on it reads half of them in a second process on a machine with two cores, so its CPU
  time (both processes) is printed too;
- and that followed by `obligations.refresh` (committed too): what the clock does at its
  next tick after `regiobot import`, deriving the kept obligations of the groups the
  messages belong to (the import itself leaves that to the clock).

Without --database each repetition uses a new SQLite file in /tmp; with a PostgreSQL
URL the tables are emptied before each repetition. Target: ≤ 2×.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import text

from storage.db import make_engine, make_sessionmaker, transaction
from storage.declarations import Assignment, MessageEvent, Provider, obligations
from storage.declarations.demo import write_demo_declarations
from storage.declarations.ijw_xml import _PARSER, import_ijw, schema_for
from storage.declarations.models import (
    CareMonthChange,
    CareSpan,
    DerivationState,
    FindingTallyChange,
    KeptObligation,
    TallyChange,
)
from storage.migrate import upgrade

NOW = datetime(2020, 12, 31, 12, 0, tzinfo=UTC)


def lxml_alone(files: list[tuple[Path, str]]) -> int:
    valid = 0
    for path, kind in files:
        tree = etree.parse(str(path), _PARSER)
        valid += schema_for(kind).validate(tree)
    return valid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ijw_import")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database", metavar="URL", help="PostgreSQL store (emptied!)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="regiobot-bench-ijw-"))
    try:
        write_demo_declarations(work, messages=args.messages, csv_export=False)
        folder = work / "xml"
        files = [(p, p.name[2:5]) for p in sorted(folder.rglob("*.xml"))]
        for kind in {k for _, k in files}:
            schema_for(kind)

        # Alternated, so that both sides see the same moments of a shared machine's load.
        t_lxml, t_import, t_derive, events = float("inf"), float("inf"), float("inf"), 0
        cpu_lxml, cpu_import = float("inf"), float("inf")
        imports: list[float] = []
        for n in range(args.repeat):
            cpu = _cpu()
            t_lxml = min(t_lxml, _timed(lambda: lxml_alone(files)))
            cpu_lxml = min(cpu_lxml, _cpu() - cpu)
            url = args.database or f"sqlite:///{work / f'import-{n}.db'}"
            upgrade(url)
            engine = make_engine(url)
            factory = make_sessionmaker(engine)
            if args.database:
                # TRUNCATE, not DELETE: deleted rows stay in the indexes until a vacuum,
                # and the next repetition inserts the very same keys, so each unique
                # check would visit the dead ones too — a cost no real import, of new
                # messages into a store, pays. Emptied so, the store is as new as
                # SQLite's new file.
                tables = ", ".join(
                    f'"{model.__tablename__}"'
                    for model in (MessageEvent, Assignment, Provider, KeptObligation, CareSpan,
                                  CareMonthChange, TallyChange, FindingTallyChange, DerivationState)
                )
                with transaction(factory) as session:
                    session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            cpu = _cpu()
            start = time.perf_counter()
            with transaction(factory) as session:
                report = import_ijw(session, [folder], now=NOW)
            imported = time.perf_counter()
            cpu_import = min(cpu_import, _cpu() - cpu)
            with transaction(factory) as session:
                obligations.refresh(session)
            imports.append(imported - start)
            t_import = min(t_import, imported - start)
            t_derive = min(t_derive, time.perf_counter() - start)
            events = report.counts.get("message events added", 0)
            engine.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ratio = t_import / t_lxml
    print(f"{len(files)} iJw XML files ({events} events), best of {args.repeat}; "
          f"store {args.database.split('@')[-1] if args.database else 'SQLite (new file)'}")
    print(f"{'lxml parse + XSD validate alone':<36} {t_lxml * 1000:10.1f} ms")
    print(f"{'import_ijw (validate, extract, store)':<36} {t_import * 1000:10.1f} ms")
    print(f"{'… then obligations.refresh':<36} {t_derive * 1000:10.1f} ms")
    print("import_ijw, each repetition: " + ", ".join(f"{t * 1000:.0f}" for t in imports) + " ms")
    print(f"CPU time, this process and its children (not the database server's): lxml alone "
          f"{cpu_lxml * 1000:.0f} ms, import_ijw {cpu_import * 1000:.0f} ms, "
          f"{cpu_import / cpu_lxml:.2f}×")
    print(f"import / lxml alone: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'}); "
          f"with the derivation: {t_derive / t_lxml:.2f}×")
    return 0


def _cpu() -> float:
    """User and system time of this process and of its children that have ended (the
    second process `import_ijw` reads half a large folder in)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
