"""Shared fixtures: a migrated store on SQLite and, when TEST_DATABASE_URL is set, on
PostgreSQL — every test that takes `store` runs on both."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_sessionmaker, normalise_url
from storage.migrate import upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# A fixed "now" for tests that write timestamps.
NOW = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Store:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    def session(self) -> Session:
        return self.factory()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str]:
    """A database of its own for this test run, migrated once, dropped at the end."""
    admin_url = normalise_url(os.environ["TEST_DATABASE_URL"])
    name = f"regiobot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "regiobot.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_postgres_database")
    engine = create_engine(url)
    with engine.begin() as connection:
        # Empties every table of ours, including those added by later migrations.
        names = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                 "AND tablename <> 'alembic_version'")
        ).scalars().all()
        if names:
            connection.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                     + " RESTART IDENTITY CASCADE")
            )
    engine.dispose()
    return url


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    engine = make_engine(store_url)
    yield Store(url=store_url, engine=engine, factory=make_sessionmaker(engine))
    engine.dispose()
