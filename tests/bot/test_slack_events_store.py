"""The table of handled Slack event ids (storage.slack_events)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, inspect, select

from storage.slack_events import SlackEvent, claim_event, forget_events
from tests.conftest import NOW


def test_it_has_a_table_made_by_the_migration(store):
    assert "slack_event" in inspect(store.engine).get_table_names()


def test_it_claims_an_event_once(store):
    with store.session() as session, session.begin():
        assert claim_event(session, event_id="Ev01", now=NOW) is True
        assert claim_event(session, event_id="Ev01", now=NOW) is False
        assert claim_event(session, event_id="Ev02", now=NOW) is True
    with store.session() as session, session.begin():
        assert claim_event(session, event_id="Ev01", now=NOW + timedelta(minutes=1)) is False
        assert session.scalar(select(func.count()).select_from(SlackEvent)) == 2


def test_it_lets_one_of_many_concurrent_claims_win(store):
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def claim() -> None:
        start.wait(timeout=5)
        with store.session() as session, session.begin():
            won = claim_event(session, event_id="EvRace", now=NOW)
        with lock:
            results.append(won)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert sorted(results) == [False, False, False, True]


def test_it_forgets_old_events(store):
    with store.session() as session, session.begin():
        claim_event(session, event_id="EvOld", now=NOW - timedelta(days=2))
        claim_event(session, event_id="EvNew", now=NOW)
    with store.session() as session, session.begin():
        assert forget_events(session, before=NOW - timedelta(days=1)) == 1
    with store.session() as session:
        assert session.scalars(select(SlackEvent.event_id)).all() == ["EvNew"]
