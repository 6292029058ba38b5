"""Message events are written in bulk (COPY on PostgreSQL): a batch holding events
that are stored already inserts the new ones only, counts them right, and leaves the
transaction usable — on both engines."""

from __future__ import annotations

from datetime import date

import pytest

from storage.declarations import store as declarations

from .conftest import NOW


def _event(n: int) -> dict:
    return dict(
        message_type="305", sender="73730101", receiver="0513", message_id=f"D{n:07d}",
        message_date=date(2020, 2, 3), position=0, municipality_code="0513",
        provider_agb="73730101", receipt_date=None, toewijzing_nummer="T0001", reference=None,
        product_category=None, product_code=None, care_date=date(2020, 2, 1),
        period_start=None, period_end=None, status=None, declaration_number=None,
        related_id=None, related_date=None, line_count=None, rejected_count=None,
        source="test", imported_at=NOW,
    )


def test_it_inserts_only_new_events_and_counts_them(store):
    with store.session() as session, session.begin():
        assert store_add(session, [_event(n) for n in range(3)]) == 3
        # Two stored already, two new: only the new ones count, nothing fails.
        assert store_add(session, [_event(n) for n in (1, 2, 3, 4)]) == 2
        assert declarations.count_events(session) == 5
        # The transaction goes on after the duplicates were skipped.
        assert store_add(session, [_event(5)]) == 1
    with store.session() as session:
        assert declarations.count_events(session) == 6


def store_add(session, events: list[dict]) -> int:
    return declarations.add_events(session, events=events)


def test_it_refuses_a_duplicate_where_duplicates_are_not_expected_as_sqlalchemy_does(store):
    # New assignments are inserted without "ignore duplicates": a clash is an error,
    # raised as SQLAlchemy's IntegrityError on both engines (COPY on PostgreSQL).
    from sqlalchemy.exc import IntegrityError

    row = dict(
        municipality_code="0513", toewijzing_nummer="T0001", provider_agb="73730101",
        product_category="45", product_code="45A01", reference=None,
        start_date=date(2020, 1, 1), end_date=None, assigned_on=date(2020, 1, 1),
        first_message_date=date(2020, 1, 2), retroactive=False, updated_at=NOW,
    )
    insert = declarations.Assignment.__table__.insert()
    with store.session() as session:
        assert declarations._execute_many(session, insert, [row]) == 1
        with pytest.raises(IntegrityError):
            declarations._execute_many(session, insert, [row])
        session.rollback()
