"""Full-text search over the store's texts: ranked, by lemma, and kept in step with
imports and changes through the session hooks — on SQLite (FTS5) and PostgreSQL (GIN)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from regiobot_cli.store import prepare_store
from storage import search
from storage.models import Meeting, Milestone, Region

NOW = datetime(2020, 3, 1, 9, tzinfo=UTC)


def _region(session) -> int:
    return session.scalar(select(Region.id))


def test_it_finds_a_milestone_by_the_words_of_its_title(store):
    prepare_store(store.url)
    with store.session() as session:
        hits = search.search(session, query="wervingsactie pleegzorg", region_id=_region(session))
    assert hits[0].kind == "milestone" and hits[0].title == "Wervingsactie pleegzorg"
    assert hits[0].coverage == 1.0


def test_it_finds_words_by_their_lemma(store):
    prepare_store(store.url)
    with store.session() as session:
        # The plan says "preventief te kunnen gaan werken"; "gewerkt" is the same verb.
        hits = search.search(session, query="preventief gewerkt", region_id=_region(session))
    assert any("preventief" in h.body and "werken" in h.body for h in hits)


def test_it_keeps_in_step_with_a_new_agenda_item_and_a_cancelled_milestone(store):
    prepare_store(store.url)
    with store.session() as session:
        region = _region(session)
        before = search.revision(session)
        assert not search.search(session, query="kwartaalrapportage", region_id=region)
        meeting = session.scalars(select(Meeting).order_by(Meeting.date)).first()
        from storage.queries import add_agenda_item

        add_agenda_item(session, meeting=meeting, title="Kwartaalrapportage dyslexie", now=NOW)
        milestone = session.scalar(select(Milestone).where(Milestone.title == "Wervingsactie pleegzorg"))
        milestone.status = "cancelled"
        session.commit()
        assert search.revision(session) > before
        hits = search.search(session, query="kwartaalrapportage", region_id=region)
        assert [h.kind for h in hits] == ["agenda_item"]
        titles = [h.title for h in search.search(session, query="wervingsactie", region_id=region)]
        assert titles.count("Wervingsactie pleegzorg") == 1  # the other copy is cancelled


def test_it_forgets_what_a_rolled_back_change_would_have_indexed(store):
    prepare_store(store.url)
    with store.session() as session:
        meeting = session.scalars(select(Meeting)).first()
        from storage.queries import add_agenda_item

        add_agenda_item(session, meeting=meeting, title="Verdwijnpunt", now=NOW)
        session.flush()
        session.rollback()
        assert not search.search(session, query="verdwijnpunt", region_id=_region(session))


def test_it_indexes_a_store_migrated_with_data_in_it(store):
    prepare_store(store.url)
    with store.session() as session:
        session.execute(search.SearchEntry.__table__.delete())
        session.execute(search.SearchState.__table__.delete())
        session.commit()
    search.ensure_built(store.url)
    with store.session() as session:
        assert search.search(session, query="dyslexie", region_id=_region(session))
