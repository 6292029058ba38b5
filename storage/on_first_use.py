"""A store opened when an answer first reads it, for one-shot commands.

`regiobot ask "/regio help"` answers without the store, so opening it up front would
only cost time: SQLAlchemy's ORM, the database driver (psycopg) and a connection. A
`StoreOnFirstUse` is called like a sessionmaker; the session it gives opens the engine,
checks that the store has its tables, and makes the real session when something first
uses it. This module imports no SQLAlchemy itself.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class StoreNotReady(Exception):
    """The store has no tables yet: a message for the person, not an unexpected error."""


class StoreOnFirstUse:
    """Makes sessions like `sessionmaker`, opening the store at `url` on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._factory: sessionmaker[Session] | None = None

    def open(self) -> sessionmaker[Session]:
        if self._factory is None:
            from sqlalchemy import inspect

            from storage.db import make_engine, make_sessionmaker

            engine = make_engine(self.url)
            if not inspect(engine).has_table("region"):
                engine.dispose()
                raise StoreNotReady(
                    f"the store at {engine.url.render_as_string(hide_password=True)} has no "
                    "tables yet: run `regiobot migrate` (and `regiobot import …`), or "
                    "`regiobot start`"
                )
            self._factory = make_sessionmaker(engine)
        return self._factory

    def __call__(self) -> SessionOnFirstUse:
        return SessionOnFirstUse(self)

    def dispose(self) -> None:
        if self._factory is not None:
            self._factory.kw["bind"].dispose()


class SessionOnFirstUse:
    """Stands for a Session: the first attribute asked for opens the real one."""

    def __init__(self, store: StoreOnFirstUse) -> None:
        self._store = store
        self._session: Session | None = None

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            self._session = self._store.open()()
        return getattr(self._session, name)

    # The caller owns the transaction and commits (or rolls back) after every answer:
    # with the store never opened there is nothing to commit, and no reason to open it.
    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()

    def __enter__(self) -> SessionOnFirstUse:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._session is not None:
            self._session.close()
