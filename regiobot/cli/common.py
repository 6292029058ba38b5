"""What the CLI areas share: the error type for clean failures and opening the store."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from regiobot.settings import get_settings
from storage.db import make_engine, make_sessionmaker


class CommandError(Exception):
    """A failure to report to the person at the terminal, without a traceback."""


def open_store(url: str | None = None) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(url or get_settings().database_url))
