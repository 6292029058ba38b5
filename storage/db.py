"""Engines and sessions.

SQLite is the embedded default; it gets WAL (readers don't block the writer), a busy
timeout (the web and clock processes share the file) and foreign keys, which SQLite
leaves off unless asked on every connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` URLs platforms hand out; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits together, or not at all."""
    with factory() as session, session.begin():
        yield session


def database_utcnow(session: Session) -> datetime:
    """The database's own clock, now (UTC, aware): one clock for every process sharing
    the store, whatever their own clocks say. For what must be judged alike by all of
    them — whether a delivery claim is stale (`storage.deliveries`) — never for what a
    user sees, which comes from `regiobot.clock`.

    PostgreSQL: `clock_timestamp()` (the server's time now, not the transaction's
    start). SQLite runs inside the process, on the one machine all its processes
    share: its 'now' is that machine's clock, in milliseconds.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        value = session.scalar(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"))
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    moment: datetime = session.execute(
        select(func.clock_timestamp() if dialect == "postgresql" else func.current_timestamp())
    ).scalar_one()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
