import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, normalise_url


def test_it_switches_on_wal_busy_timeout_and_foreign_keys_for_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_it_refuses_a_row_that_points_nowhere(store):
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO municipality (region_id, name, inhabitants) VALUES (999, 'X', 1)")
        )


def test_it_accepts_the_database_urls_platforms_hand_out():
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///regiobot.db") == "sqlite:///regiobot.db"
