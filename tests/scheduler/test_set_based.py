"""The set-based planner plans exactly what the planner planned one post at a time did:
the same delivery rows, tick after tick, superseding included (issue 16 point 4)."""

from __future__ import annotations

from datetime import date, timedelta

from bench.planner import delivery_rows, plan_one_by_one
from bench.scale_data import load_programmes
from scheduler.planner import Schedule, plan
from storage import deliveries
from storage.db import transaction
from tests.scheduler.helpers import amsterdam, moments


def _both(store, now, schedule):
    """Rows and reports of both planners from the same store; the one-by-one planner's
    tick is kept, so the next moment starts from what it left."""
    with store.session() as session:
        session.begin()
        report = plan(session, now=now, schedule=schedule)
        rows = delivery_rows(session)
        session.rollback()
    with transaction(store.factory) as session:
        reference = plan_one_by_one(session, now=now, schedule=schedule)
        reference_rows = delivery_rows(session)
    return (rows, report), (reference_rows, reference)


def test_it_plans_the_same_rows_as_one_post_at_a_time(store):
    schedule = Schedule()
    with transaction(store.factory) as session:
        load_programmes(session, factor=2)
    # Two weeks of working days, then a week of downtime (catch-up counted from the
    # posting day), and a tick between posting times.
    ticks = [*moments(date(2020, 3, 2), date(2020, 3, 13)),
             amsterdam(date(2020, 3, 23)), amsterdam(date(2020, 3, 23), "11:30")]
    planned = superseded = 0
    for now in ticks:
        if now == ticks[3]:
            # A stray unsent row in a group the planner plans for: lapsed by the new
            # stage, naming it.
            with transaction(store.factory) as session:
                stray = next(row for row in deliveries.find_deliveries(session)
                             if row.stage == "w10")
                deliveries.plan_delivery(
                    session, key=stray.key + ":stray", kind=stray.kind, target=stray.target,
                    group_key=stray.group_key, planned_for=now + timedelta(days=30), now=now)
        (rows, report), (reference_rows, reference) = _both(store, now, schedule)
        assert rows == reference_rows, now
        assert sorted(report.planned) == sorted(reference.planned)
        assert report.superseded == reference.superseded
        planned += len(report.planned)
        superseded += report.superseded
    assert planned > 50 and superseded > 0
    with store.session() as session:
        assert any(row.last_error and row.last_error.startswith("superseded by reminder:")
                   for row in deliveries.find_deliveries(session))
