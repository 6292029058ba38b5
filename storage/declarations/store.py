"""All declarations SQL (docs/architecture.md §5): keyword-only functions taking a Session — writing
what the importers extracted, and reading it for the rules, a group at a time.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from storage import search
from storage.declarations.models import (
    MET_LATE,
    UNMET,
    Assignment,
    AssignmentRow,
    CareMonthChange,
    CareSpan,
    DerivationState,
    Extracted,
    FindingTallyChange,
    KeptObligation,
    MessageEvent,
    Provider,
    TallyChange,
)
from storage.importers import ImportRefused, Problem

# --- Writing -------------------------------------------------------------------------

# pg_advisory_xact_lock key for declaration imports ("iJw" in ASCII).
_IMPORT_LOCK = 0x694A77
# How long an import waits for another one to finish before it says the store is busy.
IMPORT_LOCK_WAIT_S = 10


class StoreBusy(ImportRefused):
    """Another import, or a derivation of the kept obligations, held the store for
    longer than an import waits; nothing was written. An ImportRefused, so that every
    caller says so as it says any refusal (an answer says it in the user's words)."""

    def __init__(self):
        super().__init__([Problem(
            "store", None,
            f"busy: another import or a derivation has been writing for more than {IMPORT_LOCK_WAIT_S} s; "
            "nothing was imported — try again",
        )])


def lock_for_import(session: Session) -> None:
    """Take the store for this import (or derivation, `obligations.refresh`) until its
    transaction ends, so that two imports at once run one after the other: the second
    reads what the first wrote and both succeed (issue 13 #9), instead of both reading,
    then both inserting the same assignment; and a derivation sees every event of an
    import that was writing. Raises StoreBusy if the other one holds it longer than
    IMPORT_LOCK_WAIT_S.

    SQLite: BEGIN IMMEDIATE (the write lock, taken before the first read; the driver
    otherwise begins only at the first write), unless this transaction already writes,
    which means it holds the lock. PostgreSQL: a transaction-level advisory lock."""
    connection = session.connection()
    try:
        if connection.dialect.name == "sqlite":
            raw = connection.connection.driver_connection
            if not raw.in_transaction:
                raw.execute("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{IMPORT_LOCK_WAIT_S}s'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_IMPORT_LOCK})")
            connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
    except (OperationalError, sqlite3.OperationalError) as error:
        raise StoreBusy() from error



def _insert_ignoring_duplicates(session: Session, table, rows: list[dict]) -> int:
    """Insert rows, leaving alone those whose unique key is stored already; returns how
    many were inserted."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect.name == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - the store runs on SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database {dialect.name}")
    return _execute_many(session, stmt, rows, ignore_duplicates=True)


def _execute_many(
    session: Session, statement, rows: Sequence[dict], *, ignore_duplicates: bool = False
) -> int:
    """An INSERT of many rows (all with the same keys) as one executemany of the driver,
    compiled once, each column's values type-processed once per distinct value.

    `session.execute(statement, rows)` builds and processes every row's parameters one by
    one, which on SQLite took twice the driver's own time (BENCHMARKS.md (c)); dates
    repeat across rows and the import time is one value. Falls back to it when the
    compiled statement does not take exactly the rows' keys, or when a column left out
    has a default SQLAlchemy would fill in. Returns the number of rows inserted.
    """
    if not rows:
        return 0
    keys = list(rows[0])
    table = statement.table
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup) if compiled.positional else list(compiled.bind_names.values())
    if sorted(names) != sorted(keys) or any(
        column.default is not None or column.onupdate is not None
        for column in table.columns
        if column.key not in keys
    ):
        return session.execute(statement, rows).rowcount
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processed = {value: process(value) for value in set(values)}
            values = [processed[value] for value in values]
        columns.append(values)
    if dialect.name == "postgresql":
        return _copy_in(connection, table, names, columns, ignore_duplicates=ignore_duplicates)
    if compiled.positional:
        parameters = list(zip(*columns, strict=True))
    else:
        parameters = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    return connection.exec_driver_sql(compiled.string, parameters).rowcount


def _copy_in(
    connection, table, names: list[str], columns: list[list], *, ignore_duplicates: bool
) -> int:
    """`_execute_many` on PostgreSQL, by COPY: psycopg's executemany costs about 60 µs a
    row here, COPY a few. COPY cannot skip duplicates, so when they are to be ignored
    and one turns up, the rows go through a temporary table and one INSERT … SELECT …
    ON CONFLICT DO NOTHING instead (the importers check for known messages first, so
    that is rare). Returns the number of rows inserted."""
    import psycopg  # the PostgreSQL driver, present whenever this runs

    raw = connection.connection.driver_connection
    quoted = ", ".join(f'"{name}"' for name in names)
    rows = list(zip(*columns, strict=True))
    try:
        with raw.cursor() as cursor:
            if ignore_duplicates:
                cursor.execute("SAVEPOINT regiobot_copy")
            try:
                with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.UniqueViolation:
                if not ignore_duplicates:
                    raise
                cursor.execute("ROLLBACK TO SAVEPOINT regiobot_copy")
                return _copy_in_skipping_duplicates(cursor, table, quoted, rows)
            if ignore_duplicates:
                cursor.execute("RELEASE SAVEPOINT regiobot_copy")
            return len(rows)
    except psycopg.Error as error:
        # As SQLAlchemy would have raised it (IntegrityError, OperationalError, …), so
        # callers catch one kind of error whichever way the rows went in.
        raise DBAPIError.instance(
            f'COPY "{table.name}"', None, error, psycopg.Error, dialect=connection.dialect
        ) from error


def _copy_in_skipping_duplicates(cursor, table, quoted: str, rows: list[tuple]) -> int:
    # Per table and column set; it lives as long as the pooled connection, emptied at
    # every commit, and has the columns' types but none of the table's constraints.
    staging = f"_regiobot_copy_{table.name}_{hashlib.sha1(quoted.encode()).hexdigest()[:8]}"
    cursor.execute(
        f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS '
        f'AS SELECT {quoted} FROM "{table.name}" WITH NO DATA'
    )
    cursor.execute(f'TRUNCATE "{staging}"')
    with cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}" '
        "ON CONFLICT DO NOTHING"
    )
    return cursor.rowcount


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MessageEvent)) or 0


def add_events(session: Session, *, events: Sequence[dict], chunk: int = 5000) -> int:
    """Insert message events; ones already stored (same message and position) are left
    alone. Returns how many were new."""
    # Counted from the inserts, not by count(*) before and after: that scans a table
    # of a million events twice.
    return sum(
        _insert_ignoring_duplicates(session, MessageEvent.__table__, list(events[start : start + chunk]))
        for start in range(0, len(events), chunk)
    )


def known_messages(session: Session, *, keys: Iterable[tuple[str, str, str, date]]) -> set[tuple]:
    """Which of these (type, sender, message id, date) messages are already stored."""
    keys = set(keys)
    # One query per sender (and 500 ids), not per (type, sender): a folder of messages
    # has few senders but many of their types, and the fixed cost of a query is most of
    # its time on a small store. `message_type IN (…) AND sender = … AND message_id IN
    # (…)` still walks the unique index on both engines; a row of another type with the
    # same id is dropped below. A row-value IN over all keys would be one query, but
    # SQLite answers it with a scan of the index and PostgreSQL plans it for 100 ms.
    by_sender: dict[str, tuple[set[str], set[str]]] = {}
    for kind, sender, message_id, _day in keys:
        kinds, ids = by_sender.setdefault(sender, (set(), set()))
        kinds.add(kind)
        ids.add(message_id)
    # Built once, on Core columns: building a statement and its cache key per query, and
    # the ORM's result handling, were most of a query's cost on a small store.
    event = MessageEvent.__table__.c
    if session.get_bind().dialect.name == "postgresql":
        # Arrays: one parameter each, so no statement text of 500 placeholders for
        # psycopg to split and the server to parse; the index is used the same.
        text_array = postgresql.ARRAY(String)
        kinds_match = event.message_type == any_(bindparam("kinds", type_=text_array))
        ids_match = event.message_id == any_(bindparam("ids", type_=text_array))
        chunk = 5_000
    else:
        kinds_match = event.message_type.in_(bindparam("kinds", expanding=True))
        ids_match = event.message_id.in_(bindparam("ids", expanding=True))
        chunk = 500
    stmt = (
        select(event.message_type, event.message_id, event.message_date)
        .where(event.sender == bindparam("sender"), kinds_match, ids_match)
        .distinct()
    )
    found: set[tuple] = set()
    for sender, (kinds, ids) in sorted(by_sender.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), chunk):
            rows = session.execute(
                stmt,
                {"sender": sender, "kinds": sorted(kinds), "ids": ordered[start : start + chunk]},
            )
            for kind, message_id, day in rows:
                if (kind, sender, message_id, day) in keys:
                    found.add((kind, sender, message_id, day))
    return found


def ensure_providers(session: Session, *, names: dict[str, str | None]) -> int:
    """Make sure each AGB code has a provider row; a given name replaces a code-only name.
    Returns how many providers were added."""
    if not names:
        return 0
    lock_for_import(session)
    existing = {
        p.agb_code: p
        for p in session.scalars(select(Provider).where(Provider.agb_code.in_(list(names))))
    }
    added = renamed = 0
    for agb, name in sorted(names.items()):
        provider = existing.get(agb)
        if provider is None:
            session.add(Provider(agb_code=agb, name=name or agb))
            added += 1
        elif name and provider.name != name:
            provider.name = name
            renamed += 1
    session.flush()
    if added or renamed:
        search.bump_revision(session)
    return added


def upsert_assignments(session: Session, *, rows: Sequence[AssignmentRow], now: datetime) -> dict[str, int]:
    """Add new assignments and apply later 301s to known ones.

    The 301 with the latest Toewijzingsdatum describes the assignment (OP033x1); the
    first 301's date is kept for OP271.
    """
    counts = {"assignments added": 0, "assignments changed": 0}
    latest: dict[tuple[str, str], AssignmentRow] = {}
    first: dict[tuple[str, str], date] = {}
    last: dict[tuple[str, str], date] = {}
    for row in rows:
        key = (row.municipality_code, row.toewijzing_nummer)
        first[key] = min(first.get(key, row.message_date), row.message_date)
        sent = row.sent_on or row.message_date
        last[key] = max(last.get(key, sent), sent)
        if key not in latest or (row.assigned_on, row.message_date) >= (
            latest[key].assigned_on,
            latest[key].message_date,
        ):
            latest[key] = row
    keys = list(latest)
    existing: dict[tuple[str, str], Assignment] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        numbers = {k[1] for k in part}
        for a in session.scalars(select(Assignment).where(_one_of(session, Assignment.toewijzing_nummer, numbers))):
            existing[(a.municipality_code, a.toewijzing_nummer)] = a
    new_rows = []
    for key, row in latest.items():
        found = existing.get(key)
        values = dict(
            provider_agb=row.provider_agb,
            product_category=row.product_category,
            product_code=row.product_code,
            reference=row.reference,
            start_date=row.start_date,
            end_date=row.end_date,
            assigned_on=row.assigned_on,
        )
        if found is None:
            new_rows.append(
                dict(
                    municipality_code=key[0],
                    toewijzing_nummer=key[1],
                    first_message_date=first[key],
                    last_message_date=last[key],
                    retroactive=row.start_date < row.assigned_on,
                    updated_at=now,
                    **values,
                )
            )
            continue
        changed = False
        if first[key] < found.first_message_date:
            found.first_message_date = first[key]
            found.retroactive = found.start_date < found.assigned_on
            changed = True
        if row.assigned_on >= found.assigned_on and any(
            getattr(found, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(found, name, value)
            found.retroactive = found.start_date < found.assigned_on
            changed = True
        if found.last_message_date is None or last[key] > found.last_message_date:
            found.last_message_date = last[key]
            changed = True
        if changed:
            found.updated_at = now
            counts["assignments changed"] += 1
    if new_rows:
        for start in range(0, len(new_rows), 5000):
            _execute_many(session, Assignment.__table__.insert(), new_rows[start : start + 5000])
        counts["assignments added"] = len(new_rows)
    session.flush()
    return counts


def store_extracted(session: Session, items: list[Extracted], report, *, now: datetime) -> None:
    """Write extracted messages; those already stored (same BerichtIdentificatie) are
    skipped whole, so re-importing changes nothing."""
    lock_for_import(session)
    known = known_messages(session, keys=[item.key for item in items])
    seen: set[tuple] = set()
    fresh: list[Extracted] = []
    for item in items:
        if item.key in known or item.key in seen:
            report.count("messages already imported")
            continue
        seen.add(item.key)
        fresh.append(item)
    report.count("providers added", ensure_providers(session, names={i.provider_agb: None for i in fresh}))
    rows = [row for item in fresh for row in item.assignments]
    for what, n in upsert_assignments(session, rows=rows, now=now).items():
        report.count(what, n)
    report.count("message events added", add_events(session, events=[e for i in fresh for e in i.events]))
    report.count("messages imported", len(fresh))



# --- Reading (for the rules and KPIs) ------------------------------------------------


def providers(session: Session) -> dict[str, str]:
    """AGB code → name."""
    return dict(session.execute(select(Provider.agb_code, Provider.name)).all())


def assignments(session: Session, *, provider_agb: str | None = None) -> list[Assignment]:
    stmt = select(Assignment).order_by(Assignment.provider_agb, Assignment.start_date, Assignment.id)
    if provider_agb:
        stmt = stmt.where(Assignment.provider_agb == provider_agb)
    return list(session.scalars(stmt))


EVENT_COLUMNS = (
    MessageEvent.id,
    MessageEvent.message_type,
    MessageEvent.sender,
    MessageEvent.message_id,
    MessageEvent.message_date,
    MessageEvent.receipt_date,
    MessageEvent.municipality_code,
    MessageEvent.provider_agb,
    MessageEvent.toewijzing_nummer,
    MessageEvent.reference,
    MessageEvent.care_date,
    MessageEvent.period_start,
    MessageEvent.period_end,
    MessageEvent.status,
    MessageEvent.declaration_number,
    MessageEvent.related_id,
    MessageEvent.related_date,
    MessageEvent.line_count,
    MessageEvent.rejected_count,
)


def events(
    session: Session, *, types: Sequence[str], provider_agb: str | None = None
) -> list:
    """The events of these message types as light rows (named tuples), oldest first."""
    stmt = (
        select(*EVENT_COLUMNS)
        .where(MessageEvent.message_type.in_(list(types)))
        .order_by(MessageEvent.message_date, MessageEvent.id)
    )
    if provider_agb:
        stmt = stmt.where(MessageEvent.provider_agb == provider_agb)
    return list(session.execute(stmt))


def assignment_rows(
    session: Session, *, columns: Sequence[str], provider_agb: str | None = None
) -> list[tuple]:
    """Assignments as plain tuples of these columns (fast for a region's year)."""
    stmt = select(*(getattr(Assignment, c) for c in columns)).order_by(Assignment.id)
    if provider_agb:
        stmt = stmt.where(Assignment.provider_agb == provider_agb)
    return [tuple(r) for r in session.execute(stmt)]


def event_rows(
    session: Session, *, columns: Sequence[str], types: Sequence[str], provider_agb: str | None = None
) -> list[tuple]:
    """Events of these types as plain tuples of these columns, oldest first."""
    stmt = (
        select(*(getattr(MessageEvent, c) for c in columns))
        .where(MessageEvent.message_type.in_(list(types)))
        .order_by(MessageEvent.message_date, MessageEvent.id)
    )
    if provider_agb:
        stmt = stmt.where(MessageEvent.provider_agb == provider_agb)
    return [tuple(r) for r in session.execute(stmt)]


# --- Streams for the rules: one group of rows at a time, never the whole region --------
# Each stream is ordered by the key the rules group on, read through a server-side cursor
# (PostgreSQL) or the cursor itself (SQLite) in batches of `batch` rows, so that the
# caller can evaluate a group and drop it. The rows are plain tuples; only the columns the
# rules read are selected, and only events dated up to `until` (later ones are not known
# yet as of that day).

STREAM_BATCH = 5000


def _streamed(session: Session, stmt, batch: int) -> Iterator[tuple]:
    # Core rows on the session's connection (and transaction), past the ORM's loading.
    # Closed however the caller stops: a server-side cursor left open would last until
    # the transaction ends.
    with session.connection().execute(stmt.execution_options(yield_per=batch)) as result:
        for part in result.partitions():
            yield from map(tuple, part)


def assignment_stream(
    session: Session, *, until: date, provider_agb: str | None = None, batch: int = STREAM_BATCH
) -> Iterator[tuple]:
    """Assignments with their 301s and their start and stop lines (305, 307), together,
    ordered by (municipality code, ToewijzingNummer) so that an assignment's rows are
    adjacent.

    Rows: (municipality_code, toewijzing_nummer, kind, provider_agb, id, date_1, date_2,
    date_3, retroactive, status, date_4, date_5), where kind is "A" for the stored
    assignment (dates: start_date, end_date, first_message_date, last_message_date,
    assigned_on) and the message type for an event (dates: care_date or, for a 301,
    period_start; period_start or, for a 301, period_end; message_date; receipt_date;
    assigned_on). Only what is dated up to `until` comes: events by Dagtekening, stored
    assignments by first message date; 301s only of assignments whose latest 301 came
    after `until` (for the others the stored row is the assignment as of then). Start
    and stop lines without a ToewijzingNummer come as one group per municipality."""
    a = select(
        Assignment.municipality_code.label("municipality_code"),
        Assignment.toewijzing_nummer.label("toewijzing_nummer"),
        literal("A", String(3)).label("kind"),
        Assignment.provider_agb.label("provider_agb"),
        Assignment.id.label("id"),
        Assignment.start_date.label("date_1"),
        Assignment.end_date.label("date_2"),
        Assignment.first_message_date.label("date_3"),
        Assignment.retroactive.label("retroactive"),
        cast(null(), String(1)).label("status"),
        Assignment.last_message_date.label("date_4"),
        Assignment.assigned_on.label("date_5"),
    )
    lines = select(
        MessageEvent.municipality_code,
        MessageEvent.toewijzing_nummer,
        MessageEvent.message_type,
        MessageEvent.provider_agb,
        MessageEvent.id,
        MessageEvent.care_date,
        MessageEvent.period_start,
        MessageEvent.message_date,
        cast(null(), Boolean),
        MessageEvent.status,
        MessageEvent.receipt_date,
        MessageEvent.assigned_on,
    ).where(MessageEvent.message_type.in_(("305", "307")), MessageEvent.message_date <= until)
    # The 301s known by `until` of the assignments that changed after it: for the others
    # the stored row is the assignment as of `until` already. (301 lines without an
    # Ingangsdatum describe nothing; a 301 always has one, the CSV requires it too.)
    issued = (
        select(
            MessageEvent.municipality_code,
            MessageEvent.toewijzing_nummer,
            MessageEvent.message_type,
            MessageEvent.provider_agb,
            MessageEvent.id,
            MessageEvent.period_start,
            MessageEvent.period_end,
            MessageEvent.message_date,
            cast(null(), Boolean),
            MessageEvent.status,
            MessageEvent.receipt_date,
            MessageEvent.assigned_on,
        )
        .where(
            # Driven by the (few) assignments that changed after `until`, each looked up
            # in the event index: a join let SQLite walk every 301 and look up its
            # assignment instead, a fifth of the December digest.
            tuple_(MessageEvent.municipality_code, MessageEvent.toewijzing_nummer).in_(
                select(Assignment.municipality_code, Assignment.toewijzing_nummer).where(
                    Assignment.first_message_date <= until,
                    or_(Assignment.last_message_date.is_(None), Assignment.last_message_date > until),
                )
            ),
            MessageEvent.message_type == "301",
            MessageEvent.period_start.is_not(None),
            MessageEvent.message_date <= until,
        )
    )
    # Only assignments known by `until`: one first sent later is not known yet, also to
    # lines about it that came earlier (before, a correlated EXISTS kept those, at the
    # cost of a scan of the provider's 305/307 events per assignment on SQLite).
    a = a.where(Assignment.first_message_date <= until)
    if provider_agb:
        a = a.where(Assignment.provider_agb == provider_agb)
        lines = lines.where(MessageEvent.provider_agb == provider_agb)
        issued = issued.where(MessageEvent.provider_agb == provider_agb)
    both = union_all(a, lines, issued).subquery()
    stmt = select(*both.c).order_by(both.c.municipality_code, both.c.toewijzing_nummer)
    return _streamed(session, stmt, batch)


def request_stream(
    session: Session, *, until: date, provider_agb: str | None = None, batch: int = STREAM_BATCH
) -> Iterator[tuple]:
    """Requests (315) and the answers that name a reference (301, 319), ordered by
    (provider, municipality, ReferentieAanbieder).

    Rows: (provider_agb, municipality_code, reference, message_type, id, message_date,
    receipt_date, status)."""
    stmt = (
        select(
            MessageEvent.provider_agb,
            MessageEvent.municipality_code,
            MessageEvent.reference,
            MessageEvent.message_type,
            MessageEvent.id,
            MessageEvent.message_date,
            MessageEvent.receipt_date,
            MessageEvent.status,
        )
        .where(
            or_(
                MessageEvent.message_type == "315",
                and_(MessageEvent.message_type.in_(("301", "319")), MessageEvent.reference.is_not(None)),
            ),
            MessageEvent.message_date <= until,
        )
        .order_by(MessageEvent.provider_agb, MessageEvent.municipality_code, MessageEvent.reference)
    )
    if provider_agb:
        stmt = stmt.where(MessageEvent.provider_agb == provider_agb)
    return _streamed(session, stmt, batch)


def declaration_stream(
    session: Session, *, until: date, provider_agb: str | None = None, batch: int = STREAM_BATCH
) -> Iterator[tuple]:
    """Declarations (323) and declaration answers (325), ordered by provider.

    Rows: (provider_agb, municipality_code, message_type, id, message_id, message_date,
    receipt_date, period_start, period_end, declaration_number, related_id, related_date,
    line_count, rejected_count, status)."""
    stmt = (
        select(
            MessageEvent.provider_agb,
            MessageEvent.municipality_code,
            MessageEvent.message_type,
            MessageEvent.id,
            MessageEvent.message_id,
            MessageEvent.message_date,
            MessageEvent.receipt_date,
            MessageEvent.period_start,
            MessageEvent.period_end,
            MessageEvent.declaration_number,
            MessageEvent.related_id,
            MessageEvent.related_date,
            MessageEvent.line_count,
            MessageEvent.rejected_count,
            MessageEvent.status,
        )
        .where(MessageEvent.message_type.in_(("323", "325")), MessageEvent.message_date <= until)
        .order_by(MessageEvent.provider_agb)
    )
    if provider_agb:
        stmt = stmt.where(MessageEvent.provider_agb == provider_agb)
    return _streamed(session, stmt, batch)


def find_provider(session: Session, *, text: str) -> Provider | None:
    """A provider by AGB code, exact name, or a unique part of its name (case-insensitive)."""
    text = text.strip()
    if not text:
        return None
    by_code = session.scalar(select(Provider).where(Provider.agb_code == text))
    if by_code is not None:
        return by_code
    lowered = text.lower()
    candidates = list(session.scalars(select(Provider).where(func.lower(Provider.name).contains(lowered))))
    exact = [p for p in candidates if p.name.lower() == lowered]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def provider_names(session: Session) -> list[str]:
    return list(session.scalars(select(Provider.name).order_by(Provider.name)))


def set_provider_name(session: Session, *, agb_code: str, name: str) -> None:
    if session.execute(update(Provider).where(Provider.agb_code == agb_code)
                       .where(Provider.name != name).values(name=name)).rowcount:
        search.bump_revision(session)


# --- Kept obligations (storage.declarations.obligations) ------------------------------

# The columns of an event the rules read (rules.EventFact's fields), with its id first.
_FACT_COLUMNS = (
    "message_type", "provider_agb", "municipality_code", "message_id", "message_date",
    "receipt_date", "toewijzing_nummer", "reference", "care_date", "period_start",
    "period_end", "status", "declaration_number", "related_id", "related_date",
    "line_count", "rejected_count", "assigned_on",
)
_KEPT_FIELDS = ("rule", "provider_agb", "municipality_code", "subject", "kind", "due", "done",
                "note", "lines", "rejected")


def _one_of(session: Session, column, values: Iterable):
    """`column IN (values)`; on PostgreSQL as `column = ANY(array)`, one parameter, so
    that psycopg does not split, nor the server parse, a statement of hundreds of
    placeholders (0,35 s of a profiled import that re-derived 2.887 assignment groups)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, value=values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def derivation_state(session: Session, *, fresh: bool = False) -> DerivationState | None:
    """The derivation's record; `fresh`: as stored now, not as this session read it before."""
    query = select(DerivationState).order_by(DerivationState.id).limit(1)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return session.scalar(query)


def set_derivation_state(session: Session, *, event_id: int, deadline_months: int,
                         deadline_moved: bool) -> None:
    state = derivation_state(session)
    if state is None:
        session.add(DerivationState(event_id=event_id, deadline_months=deadline_months,
                                    deadline_moved=deadline_moved))
    else:
        state.event_id = event_id
        state.deadline_months = deadline_months
        state.deadline_moved = deadline_moved


def latest_event_id(session: Session) -> int:
    return session.scalar(select(func.max(MessageEvent.id))) or 0


def clear_kept(session: Session) -> None:
    for model in (KeptObligation, CareSpan, CareMonthChange, TallyChange, FindingTallyChange, DerivationState):
        session.execute(delete(model))


def groups_of_events(session: Session, *, after_id: int) -> tuple[set, set, set, set]:
    """The groups the events with an id above `after_id` belong to: (assignments as
    (municipality, ToewijzingNummer), requests as (provider, municipality, reference),
    declarations as (provider, DeclaratieNummer), and the (provider, municipality, first
    day of a month) each new 323 covers). With `after_id` 0 every stored assignment
    is one too, also one without events."""
    e = MessageEvent.__table__.c
    stmt = select(e.message_type, e.municipality_code, e.toewijzing_nummer, e.provider_agb,
                  e.reference, e.declaration_number, e.related_id, e.related_date,
                  e.period_start, e.period_end).where(
        e.id > after_id,
        e.message_type.in_(("301", "305", "307", "315", "319", "323", "325")),
    )
    assignments: set = set()
    requests: set = set()
    declarations: set = set()
    covered: set = set()
    related: list[tuple[str, str, date | None, str | None]] = []
    for kind, municipality, number, provider, reference, declaration, related_id, related_date, \
            start, end in _streamed(session, stmt, STREAM_BATCH):
        if kind in ("301", "305", "307"):
            assignments.add((municipality, number))
        if kind == "315" or (kind in ("301", "319") and reference):
            requests.add((provider, municipality, reference))
        if kind == "323":
            declarations.add((provider, declaration))
            if start is not None and end is not None:
                month = start.replace(day=1)
                while month <= end:
                    covered.add((provider, municipality, month))
                    month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        elif kind == "325":
            if related_id:
                related.append((provider, related_id, related_date, declaration))
            else:
                declarations.add((provider, declaration))
    # A 325 belongs with the 323 it names (whatever number it carries itself).
    found = _declaration_numbers(session, [(p, i, d) for p, i, d, _ in related])
    for provider, related_id, related_date, declaration in related:
        declarations.add((provider, found.get((provider, related_id, related_date), declaration)))
    if after_id == 0:
        a = Assignment.__table__.c
        assignments.update(tuple(r) for r in session.execute(select(a.municipality_code, a.toewijzing_nummer)))
    return assignments, requests, declarations, covered


def _declaration_numbers(session: Session, keys: list[tuple[str, str, date | None]]) -> dict:
    """(provider, 323 Identificatie, Dagtekening) → the 323's DeclaratieNummer."""
    e = MessageEvent.__table__.c
    out: dict = {}
    ids = sorted({k[1] for k in keys})
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(e.provider_agb, e.message_id, e.message_date, e.declaration_number).where(
                e.message_type == "323", _one_of(session, e.message_id, ids[start : start + 500]))
        )
        for provider, message_id, day, number in rows:
            out[(provider, message_id, day)] = number
    return out


def _fact(row: Sequence) -> tuple[int, tuple]:
    return row[0], tuple(row[1:])


def assignment_groups(session: Session, *, keys: Sequence[tuple[str, str | None]]):
    """For these (municipality, ToewijzingNummer): the stored assignment as
    (AssignmentFact fields, id), and the 301, 305 and 307 lines as (id, EventFact
    fields) in (Dagtekening, id) order."""
    from storage.declarations.rules import AssignmentFact, EventFact

    wanted = set(keys)
    municipalities = sorted({k[0] for k in keys})
    numbers = sorted({k[1] for k in keys if k[1] is not None})
    a = Assignment.__table__.c
    e = MessageEvent.__table__.c
    stored: dict = {}
    for row in session.execute(
        select(a.id, *(a[c] for c in AssignmentFact._fields)).where(
            _one_of(session, a.municipality_code, municipalities),
            _one_of(session, a.toewijzing_nummer, numbers))
    ):
        key = (row.municipality_code, row.toewijzing_nummer)
        if key in wanted:
            stored[key] = (AssignmentFact._make(row[1:]), row[0])
    match = and_(_one_of(session, e.municipality_code, municipalities),
                 _one_of(session, e.toewijzing_nummer, numbers))
    if any(k[1] is None for k in keys):
        match = or_(match, e.toewijzing_nummer.is_(None))
    lines: dict = defaultdict(list)
    for row in session.execute(
        select(e.id, *(e[c] for c in _FACT_COLUMNS))
        .where(e.message_type.in_(("301", "305", "307")), match)
        .order_by(e.message_date, e.id)
    ):
        key = (row.municipality_code, row.toewijzing_nummer)
        if key in wanted:
            lines[key].append((row[0], EventFact._make(row[1:])))
    return stored, lines


def request_groups(session: Session, *, keys: Sequence[tuple[str, str, str | None]]) -> dict:
    """For these (provider, municipality, reference): the 315s and the 301s and 319s
    naming the reference, as (id, EventFact) in (Dagtekening, id) order."""
    from storage.declarations.rules import EventFact

    wanted = set(keys)
    providers = sorted({k[0] for k in keys})
    references = sorted({k[2] for k in keys if k[2] is not None})
    e = MessageEvent.__table__.c
    by_provider = _one_of(session, e.provider_agb, providers)
    by_reference = _one_of(session, e.reference, references)
    requests = and_(e.message_type == "315", by_provider,
                    or_(by_reference, e.reference.is_(None))
                    if any(k[2] is None for k in keys) else by_reference)
    answers = and_(e.message_type.in_(("301", "319")), by_provider, by_reference)
    out: dict = defaultdict(list)
    for row in session.execute(
        select(e.id, *(e[c] for c in _FACT_COLUMNS)).where(or_(requests, answers))
        .order_by(e.message_date, e.id)
    ):
        if row.message_type != "315" and not row.reference:
            continue  # an empty reference answers nothing (as rules.evaluate reads it)
        key = (row.provider_agb, row.municipality_code, row.reference)
        if key in wanted:
            out[key].append((row[0], EventFact._make(row[1:])))
    return out


def declaration_groups(session: Session, *, keys: Sequence[tuple[str, str | None]]) -> dict:
    """For these (provider, DeclaratieNummer): the 323s with the number and the 325s
    answering them (naming one of those 323s, or naming none and carrying the number),
    as (id, EventFact) in (Dagtekening, id) order."""
    from storage.declarations.rules import EventFact

    wanted = set(keys)
    providers = sorted({k[0] for k in keys})
    numbers = sorted({k[1] for k in keys if k[1] is not None})
    e = MessageEvent.__table__.c
    columns = (e.id, *(e[c] for c in _FACT_COLUMNS))
    by_number = _one_of(session, e.declaration_number, numbers)
    if any(k[1] is None for k in keys):
        by_number = or_(by_number, e.declaration_number.is_(None))
    out: dict = defaultdict(list)
    declared: dict = {}
    rows = list(session.execute(
        select(*columns).where(e.message_type.in_(("323", "325")), _one_of(session, e.provider_agb, providers), by_number)
    ))
    for row in rows:
        if row.message_type == "323" and (row.provider_agb, row.declaration_number) in wanted:
            declared[(row.provider_agb, row.message_id, row.message_date)] = (row.provider_agb, row.declaration_number)
    ids = sorted({k[1] for k in declared})
    seen = {row[0] for row in rows}
    for start in range(0, len(ids), 500):
        rows.extend(
            row for row in session.execute(
                select(*columns).where(e.message_type == "325",
                                       _one_of(session, e.related_id, ids[start : start + 500]))
            ) if row[0] not in seen
        )
    for row in sorted(rows, key=lambda r: (r.message_date, r[0])):
        if row.message_type == "323":
            key = (row.provider_agb, row.declaration_number)
        elif row.related_id:
            key = declared.get((row.provider_agb, row.related_id, row.related_date))
            if key is None:
                continue
        else:
            key = (row.provider_agb, row.declaration_number)
        if key in wanted:
            out[key].append((row[0], EventFact._make(row[1:])))
    return out


_SPAN_FIELDS = ("provider_agb", "municipality_code", "first_month", "last_month")


def _rows_of_groups(session: Session, table, fields: Sequence[str], make,
                    group_keys: Sequence[str]) -> dict[str, list[tuple]]:
    """group key → its kept rows as (id, item, known_from, known_until), the item a
    named tuple of `fields` made by `make`."""
    c = table.c
    out: dict[str, list[tuple]] = defaultdict(list)
    for start in range(0, len(group_keys), 500):
        for row in session.execute(
            select(c.id, c.group_key, *(c[f] for f in fields), c.known_from, c.known_until)
            .where(_one_of(session, c.group_key, group_keys[start : start + 500]))
        ):
            out[row[1]].append((row[0], make(row[2:-2]), row[-2], row[-1]))
    return out


def _update_groups(session: Session, table, values_of, before: dict[str, list[tuple]],
                   rows: Sequence[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Make the rows kept for some groups `rows` — (group key, item, known_from,
    known_until) — where `before` holds what they keep now (`_rows_of_groups`),
    touching only those that differ: a group re-derived after a message keeps most of
    its rows (the versions before the message's day), so only the ones that end or
    start with it are deleted and inserted. Returns (the rows taken away, the rows
    added)."""
    wanted = Counter(rows)
    gone: list[int] = []
    removed: list[tuple] = []
    for group_key, kept in before.items():
        for row_id, item, known_from, known_until in kept:
            row = (group_key, item, known_from, known_until)
            if wanted[row] > 0:
                wanted[row] -= 1
            else:
                gone.append(row_id)
                removed.append(row)
    for start in range(0, len(gone), 5000):
        session.execute(delete(table).where(_one_of(session, table.c.id, gone[start : start + 5000])))
    added = list(wanted.elements())
    values = [values_of(row) for row in added]
    for start in range(0, len(values), 10_000):
        _execute_many(session, table.insert(), values[start : start + 10_000])
    return removed, added


def kept_of_groups(session: Session, *, group_keys: Sequence[str]) -> dict[str, list[tuple]]:
    """The kept obligations of these groups: group key → [(id, Kept, known_from, known_until)]."""
    from storage.declarations.obligations import Kept

    return _rows_of_groups(session, KeptObligation.__table__, _KEPT_FIELDS, Kept._make, group_keys)


def care_spans_of_groups(session: Session, *, group_keys: Sequence[str]) -> dict[str, list[tuple]]:
    """The care spans of these groups: group key → [(id, Span, known_from, known_until)]."""
    from storage.declarations.obligations import Span

    return _rows_of_groups(session, CareSpan.__table__, _SPAN_FIELDS, Span._make, group_keys)


def update_kept(session: Session, *, before: dict[str, list[tuple]], rows: Sequence[tuple]) -> tuple[list, list]:
    """Make the kept obligations of the groups in `before` (`kept_of_groups`) `rows`:
    (group key, Kept, known_from, known_until). Returns (the rows taken away, the rows
    added), of the same shape."""
    from storage.declarations.obligations import days_late_when_met

    def values_of(row: tuple) -> dict:
        group_key, kept, known_from, known_until = row
        return {"group_key": group_key, **dict(zip(_KEPT_FIELDS, kept, strict=True)),
                "days_late": days_late_when_met(kept), "known_from": known_from, "known_until": known_until}

    return _update_groups(session, KeptObligation.__table__, values_of, before, rows)


def update_care_spans(session: Session, *, before: dict[str, list[tuple]],
                      rows: Sequence[tuple]) -> tuple[list, list]:
    """Make the care spans of the groups in `before` (`care_spans_of_groups`) `rows`:
    (group key, Span, known_from, known_until). Returns (the rows taken away, the rows
    added), of the same shape."""
    def values_of(row: tuple) -> dict:
        group_key, span, known_from, known_until = row
        return {"group_key": group_key, **dict(zip(_SPAN_FIELDS, span, strict=True)),
                "known_from": known_from, "known_until": known_until}

    return _update_groups(session, CareSpan.__table__, values_of, before, rows)


def kept_rows(session: Session) -> Iterator[tuple]:
    """Every kept obligation, as `update_kept` takes them (group key, Kept, known_from,
    known_until), streamed."""
    from storage.declarations.obligations import Kept

    k = KeptObligation.__table__.c
    stmt = select(k.group_key, *(k[f] for f in _KEPT_FIELDS), k.known_from, k.known_until)
    for row in _streamed(session, stmt, STREAM_BATCH):
        yield row[0], Kept._make(row[1:-2]), row[-2], row[-1]


def _add_changes(session: Session, table, keys: Sequence[str], changes: dict[tuple, int],
                 *, empty: bool) -> None:
    """Add these deltas (keyed by the values of `keys`, the table's unique key) to a
    table of changes per day; rows that come to 0 go. Into an `empty` table they are
    plain inserts (COPY on PostgreSQL).

    Only the rows the upsert touched can have come to 0, so those are the ones looked at
    (by the ids it returns): `DELETE … WHERE delta = 0` scanned the whole table, which
    grows with the store (36.000 rows at ×10, 6,8 ms on PostgreSQL; linear beyond)."""
    if not changes:
        return
    if empty:
        values = [{**dict(zip(keys, key, strict=True)), "delta": delta}
                  for key, delta in changes.items() if delta]
        for start in range(0, len(values), 10_000):
            _execute_many(session, table.insert(), values[start : start + 10_000])
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        zero = _add_changes_by_copy(session, table, keys, changes)
    else:
        insert = sqlite.insert(table)
        stmt = insert.on_conflict_do_update(
            index_elements=list(keys), set_={"delta": table.c.delta + insert.excluded.delta}
        ).returning(table.c.id, table.c.delta)
        values = [{**dict(zip(keys, key, strict=True)), "delta": delta}
                  for key, delta in sorted(changes.items())]
        zero = []
        for start in range(0, len(values), 5_000):
            zero.extend(row_id for row_id, delta in session.execute(stmt, values[start : start + 5_000]) if delta == 0)
    for start in range(0, len(zero), 5_000):
        session.execute(delete(table).where(_one_of(session, table.c.id, zero[start : start + 5_000])))


def _add_changes_by_copy(session: Session, table, keys: Sequence[str], changes: dict[tuple, int]) -> list[int]:
    """`_add_changes` on PostgreSQL: the deltas COPYed into a temporary table and added
    in one INSERT … ON CONFLICT DO UPDATE — an executemany of upserts cost 0,2 ms a row.
    Returns the ids of the rows that came to 0."""
    columns = [*keys, "delta"]
    quoted = ", ".join(f'"{c}"' for c in columns)
    staging = f"_regiobot_changes_{table.name}"
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS '
                       f'AS SELECT {quoted} FROM "{table.name}" WITH NO DATA')
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
            for key, delta in changes.items():
                copy.write_row((*key, delta))
        conflict = ", ".join(f'"{c}"' for c in keys)
        cursor.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}" '
                       f'ON CONFLICT ({conflict}) DO UPDATE SET delta = "{table.name}".delta + excluded.delta '
                       'RETURNING id, delta')
        return [row_id for row_id, delta in cursor.fetchall() if delta == 0]


def add_care_month_changes(session: Session, *, changes: dict[tuple[str, str, date, date], int],
                           empty: bool = False) -> None:
    """Add these deltas to the care month changes (provider, municipality, month, day)."""
    _add_changes(session, CareMonthChange.__table__, ("provider_agb", "municipality_code", "month", "day"),
                 changes, empty=empty)


def add_tally_changes(session: Session, *, changes: dict[tuple[str, str, str, date], int],
                      empty: bool = False) -> None:
    """Add these deltas to the tally (provider, measure, month, day)."""
    _add_changes(session, TallyChange.__table__, ("provider_agb", "measure", "month", "day"), changes,
                 empty=empty)


def add_finding_tally_changes(session: Session, *, changes: dict[tuple[str, str, str, date], int],
                              empty: bool = False) -> None:
    """Add these deltas to the findings per rule (provider, rule, month, day)."""
    _add_changes(session, FindingTallyChange.__table__, ("provider_agb", "rule", "month", "day"), changes,
                 empty=empty)


def clear_finding_tally(session: Session) -> None:
    session.execute(delete(FindingTallyChange))


def findings_by_rule(session: Session, *, today: date, provider_agb: str,
                     month: str | None = None) -> dict[str, int]:
    """A provider's findings as of `today` (due in `month`, if given), counted per rule."""
    f = FindingTallyChange.__table__.c
    total = func.sum(f.delta)
    stmt = (select(f.rule, total).where(f.provider_agb == provider_agb, f.day <= today)
            .group_by(f.rule))
    if month:
        stmt = stmt.where(f.month == month)
    return {str(rule): int(n) for rule, n in session.execute(stmt) if n}


def tally(session: Session, *, today: date, provider_agb: str | None = None,
          month: str | None = None) -> list[tuple[str, str, str, int]]:
    """(provider, measure, month, count as of `today`) of the tally, counts that are not 0."""
    t = TallyChange.__table__.c
    total = func.sum(t.delta)
    stmt = (select(t.provider_agb, t.measure, t.month, total).where(t.day <= today)
            .group_by(t.provider_agb, t.measure, t.month))
    if provider_agb:
        stmt = stmt.where(t.provider_agb == provider_agb)
    if month:
        stmt = stmt.where(t.month == month)
    return [tuple(r) for r in session.execute(stmt) if r[3]]


def care_months(session: Session) -> set[tuple[str, str, date]]:
    c = CareMonthChange.__table__.c
    return {tuple(r) for r in session.execute(
        select(c.provider_agb, c.municipality_code, c.month).distinct())}


def care_month_changes(session: Session, *, pairs: Sequence[tuple[str, str]]) -> dict:
    """(provider, municipality, month) → [(day, delta)] for these pairs."""
    c = CareMonthChange.__table__.c
    wanted = set(pairs)
    out: dict = defaultdict(list)
    for provider, municipality, month, day, delta in session.execute(
        select(c.provider_agb, c.municipality_code, c.month, c.day, c.delta).where(
            _one_of(session, c.provider_agb, sorted({p for p, _ in pairs})),
            _one_of(session, c.municipality_code, sorted({m for _, m in pairs})))
    ):
        if (provider, municipality) in wanted:
            out[(provider, municipality, month)].append((day, delta))
    return out


def declared_periods(session: Session, *, pairs: Sequence[tuple[str, str]]) -> dict:
    """(provider, municipality) → [(period start, period end, Dagtekening)] of its 323s."""
    e = MessageEvent.__table__.c
    wanted = set(pairs)
    out: dict = defaultdict(list)
    for provider, municipality, start, end, day in session.execute(
        select(e.provider_agb, e.municipality_code, e.period_start, e.period_end, e.message_date).where(
            e.message_type == "323", e.provider_agb.in_(sorted({p for p, _ in pairs})),
            e.period_start.is_not(None), e.period_end.is_not(None))
    ):
        if (provider, municipality) in wanted:
            out[(provider, municipality)].append((start, end, day))
    return out


def _known_on(day: date):
    k = KeptObligation.__table__.c
    return and_(k.known_from <= day, or_(k.known_until.is_(None), k.known_until > day))


_FINDING_COLUMNS = ("rule", "provider_agb", "municipality_code", "subject", "kind", "due", "done", "note")


def _findings_of_kind(today: date, provider_agb: str | None, month: tuple[date, date] | None,
                      *, unmet: bool) -> tuple[list, Any]:
    """The conditions that pick one kind of finding as of `today` — unmet past its due
    date, or met late (a check: sent early) — each the condition of its partial index,
    and how overdue they are as an ordering (most overdue first)."""
    k = KeptObligation.__table__.c
    if unmet:
        where = [text(UNMET), k.due < today]
        order = k.due.asc()
    else:
        where = [text(MET_LATE)]
        order = k.days_late.desc()
    if provider_agb:
        where.insert(0, k.provider_agb == provider_agb)
    where.append(_known_on(today))
    if month:
        where += [k.due >= month[0], k.due <= month[1]]
    return where, order


def kept_findings(session: Session, *, today: date, provider_agb: str | None,
                  month: tuple[date, date] | None = None) -> list[tuple]:
    """The late or missing obligations of a provider (None: of all) as of `today` (due
    in `month`, if given): (rule, provider, municipality, subject, kind, due, done, note)."""
    k = KeptObligation.__table__.c
    out: list[tuple] = []
    for unmet in (True, False):
        where, _ = _findings_of_kind(today, provider_agb, month, unmet=unmet)
        out.extend(tuple(r) for r in session.execute(select(*(k[c] for c in _FINDING_COLUMNS)).where(*where)))
    return out


def most_overdue_findings(session: Session, *, today: date, provider_agb: str,
                          month: tuple[date, date] | None = None, first: int = 40) -> list[tuple]:
    """At least the `first` most overdue findings of a provider as of `today` (due in
    `month`, if given), as `kept_findings` gives them: of each kind (unmet, met late) the
    `first` most overdue and all as overdue as the last of those, so that the caller's
    sort and cut (ties broken by rule, subject, …) sees every row it could keep. Each
    kind is an ordered walk of its partial index that stops once `first` rows known on
    the day are passed: the superseded versions it skips are those of the most overdue
    rows only."""
    k = KeptObligation.__table__.c
    out: list[tuple] = []
    for unmet in (True, False):
        where, order = _findings_of_kind(today, provider_agb, month, unmet=unmet)
        key = k.due if unmet else k.days_late
        last = session.scalar(select(key).where(*where).order_by(order).offset(first - 1).limit(1))
        if last is not None:
            where.append(key <= last if unmet else key >= last)
        out.extend(tuple(r) for r in session.execute(select(*(k[c] for c in _FINDING_COLUMNS)).where(*where)))
    return out
