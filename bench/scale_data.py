"""Fill a store with regional-scale data for the benchmarks (issue 7).

    .venv/bin/python -m bench.scale_data --database URL --factor 100

Factor 100 is "100 regions' worth": 100 regions (5 municipalities and a BOSD each),
50 programmes, 2.000 projects, 20.000 milestones, 400 meetings (3 agenda items each)
and 1.000.000 iJw message events from the declarations generator
(`storage.declarations.demo`, through the back-office CSV row shape and the CSV
importer's row → event mapping), bulk-loaded: COPY on PostgreSQL, batched executemany
on SQLite. Smaller factors scale everything down (factor 1: one region, 10.000 events);
`--events` overrides the number of message events alone, so two stores can differ only
in the events they hold. `--hold-back FIRST:LAST --held-csv FILE` leaves out the
messages of those days and writes them as a back-office CSV export: importing it then
adds days of messages to the groups the store already holds (later messages included),
as a real day's import does — unlike a separately generated day, whose messages are
about assignments of their own.

The store must be empty (it is migrated first). The kept declaration obligations are
derived from the loaded events at the end, as the clock derives an import's
(`storage.declarations.obligations.refresh`). Prints what it wrote and how long it took.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import sys
import time as timer
from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, update

from storage.db import make_engine, make_sessionmaker, transaction
from storage.declarations import Assignment, MessageEvent, ensure_providers, obligations
from storage.declarations.demo import PROVIDERS, csv_rows, generate
from storage.declarations.ijw_csv import CSV_COLUMNS, event_of_row
from storage.declarations.models import KeptObligation
from storage.deliveries import Delivery  # noqa: F401 — registers the table's metadata
from storage.migrate import upgrade
from storage.models import (
    AgendaItem,
    GoverningBody,
    Meeting,
    Milestone,
    Municipality,
    Person,
    Programme,
    Project,
    Region,
    Role,
    Subscription,
)
from storage.search import rebuild as rebuild_search

EVENTS_PER_FACTOR = 10_000
YEAR = 2020
BATCH = 10_000
# A fixed import moment: scale data is the same whatever day it is made.
LOADED_AT = datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
EVENT_COLUMNS = [c.name for c in MessageEvent.__table__.columns if c.name != "id"]


def sizes(factor: int) -> dict[str, int]:
    return {
        "regions": factor,
        "programmes": max(1, math.ceil(factor / 2)),
        "projects": 20 * factor,
        "milestones": 200 * factor,
        "meetings": 4 * factor,
        "events": EVENTS_PER_FACTOR * factor,
    }


def _rows(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


def load_programmes(session, factor: int) -> dict[str, int]:
    """Regions, municipalities, people, programmes, projects, roles, milestones,
    BOSD meetings with agenda items, and channel subscriptions."""
    n = sizes(factor)
    now = LOADED_AT
    _rows(session, Region.__table__, [
        dict(id=r + 1, slug=f"regio-{r + 1:03d}", name=f"Regio {r + 1:03d}", year=YEAR)
        for r in range(n["regions"])
    ])
    _rows(session, Municipality.__table__, [
        dict(region_id=r + 1, name=f"Gemeente {r + 1:03d}-{m + 1}", inhabitants=20_000 + 1_000 * m,
             cbs_code=f"{(r * 5 + m) % 10_000:04d}")
        for r in range(n["regions"]) for m in range(5)
    ])
    # One person per project (its leader and milestone owner), one per programme (its
    # manager); every other person is linked to a Slack user so reminders go to DMs too.
    people = n["projects"] + n["programmes"]
    _rows(session, Person.__table__, [
        dict(id=p + 1, name=f"Medewerker {p + 1:05d}",
             slack_user_id=f"U{p + 1:08d}" if p % 2 == 0 else None, is_coordinator=False)
        for p in range(people)
    ])
    _rows(session, Programme.__table__, [
        dict(id=g + 1, region_id=(g * 2) % n["regions"] + 1, slug=f"programma-{g + 1:02d}",
             number=g + 1, name=f"Programma {g + 1:02d}", kind="programma", aliases=[f"P{g + 1}"],
             goals=[], dependencies=[], local_assignment=[], position=g)
        for g in range(n["programmes"])
    ])
    per_programme = math.ceil(n["projects"] / n["programmes"])
    projects = [
        dict(id=p + 1, programme_id=p // per_programme + 1, slug=f"project-{p + 1:05d}",
             number=p % per_programme + 1, name=f"Deelproject {p + 1:05d}",
             description="Een deelproject van het programma.", position=p % per_programme)
        for p in range(n["projects"])
    ]
    _rows(session, Project.__table__, projects)
    manager_of = {g + 1: n["projects"] + g + 1 for g in range(n["programmes"])}
    _rows(session, Role.__table__, [
        *(dict(programme_id=g, kind="programmamanager", label="Programmamanager",
               holder=f"Medewerker {pid:05d}", person_id=pid, hours_text="32 uur", position=0)
          for g, pid in manager_of.items()),
        *(dict(programme_id=p["programme_id"], project_id=p["id"], kind="projectleider",
               label="Projectleider", holder=f"Medewerker {p['id']:05d}", person_id=p["id"],
               hours_text="16 uur", position=1)
          for p in projects),
    ])
    per_project = n["milestones"] // n["projects"]
    start = date(YEAR, 1, 2)
    quarters = ("K1", "K2", "K3", "K4")
    milestones = []
    for p in projects:
        for k in range(per_project):
            i = (p["id"] - 1) * per_project + k
            due = start + timedelta(days=(i * 7) % 362)
            milestones.append(dict(
                programme_id=p["programme_id"], project_id=p["id"], key=f"m-{i + 1:06d}",
                title=f"Mijlpaal {i + 1} van {p['name']}", due_date=due,
                period_label=quarters[(due.month - 1) // 3],
                status="done" if i % 10 < 3 else "open", owner_id=p["id"] if i % 4 else None,
                position=k, created_at=now, updated_at=now, sequence=0,
                done_at=now if i % 10 < 3 else None,
            ))
    _rows(session, Milestone.__table__, milestones)
    _rows(session, GoverningBody.__table__, [
        dict(id=r + 1, region_id=r + 1, slug="bosd", name="Bestuurlijk Overleg Sociaal Domein",
             abbreviation="BOSD")
        for r in range(n["regions"])
    ])
    per_region = n["meetings"] // n["regions"]
    meetings = [
        dict(id=i + 1, body_id=r + 1, uid=f"bosd-{r + 1:03d}-{YEAR}-{m + 1}", number=m + 1,
             date=date(YEAR, 1 + 3 * m, 15 + r % 10), start_time=time(14, 0), end_time=time(16, 0),
             location="Gouda, Huis van de Stad", status="scheduled", created_at=now,
             updated_at=now, sequence=0)
        for r in range(n["regions"]) for m in range(per_region)
        for i in [r * per_region + m]
    ]
    _rows(session, Meeting.__table__, meetings)
    kinds = ("beslispunt", "special", "ter informatie")
    _rows(session, AgendaItem.__table__, [
        dict(meeting_id=m["id"], position=a + 1, title=f"Agendapunt {a + 1}", kind=kinds[a],
             prepared_by="Programmamanager", created_at=now, updated_at=now)
        for m in meetings for a in range(3)
    ])
    _rows(session, Subscription.__table__, [
        *(dict(channel_id=f"CPROG{g + 1:04d}", topic="programme", programme_id=g + 1,
               programme_id_key=g + 1, created_at=now)
          for g in range(n["programmes"])),
        dict(channel_id="CBOSD0001", topic="bosd", programme_id=None, programme_id_key=0,
             created_at=now),
        dict(channel_id="CDECL0001", topic="declaraties", programme_id=None, programme_id_key=0,
             created_at=now),
    ])
    return {k: v for k, v in n.items() if k != "events"}


# The generator is asked for messages and yields about 0,99 event per message; ask for a
# few more than needed and stop at exactly the number of events wanted.
MESSAGES_PER_EVENT = 1.05


def event_batches(events: int, seed: int, held_back: tuple[date, date] | None = None, held=None):
    """Lists of (event row, assignment values or None) from the demo generator: exactly
    `events` rows (the last message may be cut short) — but the rows of messages dated
    in `held_back` (first, last day), which go to the CSV writer `held` instead."""
    stream, _truth = generate(math.ceil(events * MESSAGES_PER_EVENT) + 10, seed=seed, year=YEAR,
                              keep_lines=False)
    batch: list[tuple[dict, dict | None]] = []
    left = events
    # An assignment's later 301s (the generator extends or shortens some) update its row.
    issued: set[tuple[str, str]] = set()
    for message in stream:
        if left <= 0:
            break
        if held_back and held_back[0] <= message.day <= held_back[1]:
            rows = csv_rows(message)[:left]
            held.writerows(rows)
            left -= len(rows)
            continue
        for row in csv_rows(message)[:left]:
            left -= 1
            _key, event, assignment = event_of_row(row, LOADED_AT)
            values = None
            if assignment is not None:
                values = dict(
                    municipality_code=assignment.municipality_code,
                    toewijzing_nummer=assignment.toewijzing_nummer,
                    provider_agb=assignment.provider_agb,
                    product_category=assignment.product_category,
                    product_code=assignment.product_code,
                    reference=assignment.reference,
                    start_date=assignment.start_date,
                    end_date=assignment.end_date,
                    assigned_on=assignment.assigned_on,
                    first_message_date=assignment.message_date,
                    last_message_date=event["message_date"],
                    retroactive=assignment.start_date < assignment.assigned_on,
                    updated_at=LOADED_AT,
                )
                key = (assignment.municipality_code, assignment.toewijzing_nummer)
                values["amends"] = key in issued
                issued.add(key)
            batch.append((event, values))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
    if left > 0:
        raise RuntimeError(f"the generator ran out {left} events short")


def load_events(session, wanted: int, *, seed: int, held_back: tuple[date, date] | None = None,
                held=None) -> tuple[int, int]:
    """Bulk-load `wanted` of the generator's events and their assignments, but those of
    the messages dated in `held_back`, written to `held` (`event_batches`); returns
    (events, assignments)."""
    ensure_providers(session, names={agb: name for name, agb in PROVIDERS})
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    events = assignments = 0
    for batch in event_batches(wanted, seed, held_back, held):
        rows = [event for event, _ in batch]
        made: list[dict] = []
        amended: list[dict] = []
        for _, values in batch:
            if values is not None:
                (amended if values.pop("amends") else made).append(values)
        if postgres:
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(
                    f"COPY declaration_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in EVENT_COLUMNS])
        else:
            session.execute(insert(MessageEvent.__table__), rows)
        if made:
            session.execute(insert(Assignment.__table__), made)
        if amended:
            # The latest 301 describes the assignment; the first one's date stays.
            table = Assignment.__table__
            session.execute(
                update(table)
                .where(table.c.municipality_code == bindparam("m"),
                       table.c.toewijzing_nummer == bindparam("n"))
                .values(end_date=bindparam("e"), assigned_on=bindparam("a"),
                        last_message_date=bindparam("l"), retroactive=bindparam("r")),
                [{"m": v["municipality_code"], "n": v["toewijzing_nummer"], "e": v["end_date"],
                  "a": v["assigned_on"], "l": v["last_message_date"], "r": v["retroactive"]}
                 for v in amended],
            )
        events += len(rows)
        assignments += len(made)
    return events, assignments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, metavar="URL",
                        help="an empty store (sqlite:///… or postgresql://…)")
    parser.add_argument("--factor", type=int, default=100, help="regions' worth (default 100)")
    parser.add_argument("--events", type=int, default=None,
                        help=f"message events to load (default {EVENTS_PER_FACTOR} × factor)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--hold-back", metavar="FIRST:LAST",
                        help="leave out the messages dated from FIRST to LAST (ISO days) and write "
                             "them to --held-csv, as the back-office export: the days' messages an "
                             "import then adds to the groups the store holds")
    parser.add_argument("--held-csv", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    # The derivation's progress, at a large factor (and nothing else's).
    logging.basicConfig(format="%(asctime)s %(message)s")
    logging.getLogger(obligations.__name__).setLevel(logging.INFO)
    held_back = None
    if args.hold_back:
        first, _, last = args.hold_back.partition(":")
        held_back = (date.fromisoformat(first), date.fromisoformat(last))
        if args.held_csv is None:
            parser.error("--hold-back needs --held-csv")
    wanted = args.events if args.events is not None else EVENTS_PER_FACTOR * args.factor

    started = timer.perf_counter()
    upgrade(args.database)
    engine = make_engine(args.database)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        if session.scalar(select(Region.id).limit(1)) is not None:
            print("the store is not empty; give an empty one", file=sys.stderr)
            return 2
        counts = load_programmes(session, args.factor)
        # Rows went in through Core, past the session hooks that keep the search index.
        counts["search entries"] = rebuild_search(session)
    programmes_done = timer.perf_counter()
    with transaction(factory) as session, ExitStack() as files:
        held = None
        if held_back:
            held = csv.DictWriter(files.enter_context(open(args.held_csv, "w", newline="", encoding="utf-8")),
                                  fieldnames=CSV_COLUMNS)
            held.writeheader()
        counts["events"], counts["assignments"] = load_events(session, wanted, seed=args.seed,
                                                              held_back=held_back, held=held)
    if engine.dialect.name == "postgresql":
        # The derivation's reads are planned on the events just loaded: with no
        # statistics yet (autovacuum has not seen them) a large store gets poor plans.
        _analyze(engine)
    done = timer.perf_counter()
    # Bulk-loaded past the importers: derive the kept obligations as the clock would after an import.
    with transaction(factory) as session:
        obligations.refresh(session)
        counts["obligations"] = session.scalar(select(func.count()).select_from(KeptObligation)) or 0
    derived = timer.perf_counter()
    if engine.dialect.name == "postgresql":
        _analyze(engine)
    engine.dispose()
    for what, count in counts.items():
        print(f"{what:>12}: {count:>9,}".replace(",", "."))
    print(f"programme data {programmes_done - started:.1f} s, events (with ANALYZE) {done - programmes_done:.1f} s, "
          f"obligations {derived - done:.1f} s")
    return 0


def _analyze(engine) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


if __name__ == "__main__":
    raise SystemExit(main())
