"""What the CLI areas share: the error type for clean failures and opening the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from regiobot.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class CommandError(Exception):
    """A failure to report to the person at the terminal, without a traceback."""


def open_store(url: str | None = None) -> sessionmaker[Session]:
    # Imported here: `regiobot --help` and `regiobot ask "/regio help"` need no SQLAlchemy.
    from storage.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(url or get_settings().database_url))
