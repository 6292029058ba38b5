"""A sender whose tick runs long (slow Slack answers) must not have its later claims
taken over as "left sending by a crash" by another clock process: each post once."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from scheduler import sender as sender_module
from scheduler.channels import ConsoleChannel
from scheduler.sender import Sender
from storage import deliveries
from storage.db import transaction

T0 = datetime(2020, 3, 2, 8, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_it_posts_once_when_another_process_ticks_during_a_slow_tick(store, monkeypatch):
    monotonic = FakeMonotonic()
    monkeypatch.setattr(sender_module.time, "monotonic", monotonic)
    with transaction(store.factory) as session:
        for index in range(3):
            store_plan(session, index)

    posts: list[str] = []

    class SlowSlack(ConsoleChannel):
        """Posting takes three minutes per message (timeouts and retries inside the
        client); the other clock process ticks in the middle of the second post."""

        def post(self, channel, message, metadata):
            key = metadata["event_payload"]["key"]
            monotonic.value += 180
            if key.endswith("1") and not other_ran:
                other_ran.append(True)
                other.run(now=T0 + timedelta(seconds=monotonic.value - 1000))
            posts.append(key)
            return super().post(channel, message, metadata)

    other_ran: list[bool] = []
    channel = SlowSlack(io.StringIO(), quiet=True)
    slow = Sender(store.factory, channel, worker="host-a:1")
    other = Sender(store.factory, channel, worker="host-b:2")

    slow.run(now=T0)
    other.run(now=T0 + timedelta(minutes=30))

    assert other_ran
    assert sorted(posts) == [f"admin_alert:slow{i}" for i in range(3)]
    with store.factory() as session:
        statuses = {d.key: d.status for d in store_module_find(session)}
    assert set(statuses.values()) == {"sent"}


def store_plan(session, index: int) -> None:
    deliveries.plan_delivery(
        session, key=f"admin_alert:slow{index}", kind=deliveries.ADMIN_ALERT, target="C0ADMIN",
        group_key=f"slow{index}", planned_for=T0 - timedelta(minutes=1), now=T0,
        payload={"failed_key": f"x{index}", "target": "C9", "error": "not_in_channel"},
    )


def store_module_find(session):
    return deliveries.find_deliveries(session, kind=deliveries.ADMIN_ALERT)
