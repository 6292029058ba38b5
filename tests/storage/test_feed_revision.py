"""The store revision the feed endpoint answers 304 by (migration 0005): every write to
a table a feed reads changes it, whoever writes; other writes leave it alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, text, update

from storage.feeds import create_feed_token, feed_revision
from storage.models import (
    AgendaItem,
    GoverningBody,
    Meeting,
    Milestone,
    Person,
    Programme,
    Project,
    Region,
    Role,
)
from tests.calendars.conftest import NOW, load


def revision(store) -> int | None:
    with store.session() as session:
        return feed_revision(session)


@pytest.fixture
def loaded(store):
    load(store)
    return store


@pytest.mark.parametrize(
    "model, column, value",
    [
        (Region, "name", "Hollands Midden"),
        (Programme, "name", "Anders genoemd"),
        (Project, "name", "Anders genoemd"),
        (Person, "name", "Iemand Anders"),
        (Role, "holder", "Iemand Anders"),
        (Milestone, "title", "Anders genoemd"),
        (GoverningBody, "abbreviation", "BO"),
        (Meeting, "location", "Waddinxveen"),
        (AgendaItem, "title", "Anders genoemd"),
    ],
)
def test_it_changes_with_an_update_of_every_table_a_feed_reads(loaded, model, column, value):
    before = revision(loaded)
    assert before is not None
    with loaded.session() as session, session.begin():
        first = session.scalar(select(func.min(model.id)))
        session.execute(update(model).where(model.id == first).values({column: value}))
    assert revision(loaded) != before


def test_it_changes_with_orm_inserts_and_deletes(loaded):
    before = revision(loaded)
    with loaded.session() as session, session.begin():
        session.execute(delete(AgendaItem))
    after_delete = revision(loaded)
    assert after_delete != before
    with loaded.session() as session, session.begin():
        session.add(Person(name="Nieuwe Collega"))
    assert revision(loaded) != after_delete


def test_it_stays_the_same_for_writes_no_feed_reads(loaded):
    before = revision(loaded)
    with loaded.session() as session, session.begin():
        create_feed_token(session, scope="region", now=NOW)
    with loaded.session() as session:
        session.execute(select(Milestone)).all()
    assert revision(loaded) == before


def test_it_is_not_changed_by_a_rolled_back_write(loaded):
    before = revision(loaded)
    with loaded.session() as session:
        session.execute(update(Milestone).values(title="Nooit bewaard"))
        session.rollback()
    assert revision(loaded) == before


def test_it_lets_two_writers_wait_for_each_other_instead_of_deadlocking(loaded):
    """Two transactions each change a person the other changes next: the second waits
    for the first to commit. A marker bumped at the first write made it a deadlock on
    PostgreSQL (the marker row held by one, the person by the other)."""
    if loaded.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; nothing to deadlock")
    with loaded.session() as session:
        first, second = session.scalars(select(Person.id).order_by(Person.id).limit(2)).all()
    before = revision(loaded)
    one, other = loaded.engine.connect(), loaded.engine.connect()
    try:
        for connection in (one, other):  # fail rather than hang if a lock is never freed
            connection.execute(text("SET lock_timeout = '5s'"))
        one.execute(update(Person).where(Person.id == first).values(email="a@example.nl"))
        other.execute(update(Person).where(Person.id == second).values(email="b@example.nl"))
        threading.Timer(0.5, other.commit).start()
        # Waits for `other` to commit, then goes on.
        one.execute(update(Person).where(Person.id == second).values(email="c@example.nl"))
        one.commit()
    finally:
        one.close()
        other.close()
    assert revision(loaded) != before
