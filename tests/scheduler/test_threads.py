"""The reminders of one milestone form one thread per DM and channel (issue 12 point 3):
the first starts it, later ones reply, the due-day one is also shown in the channel,
and the first card is kept current with chat.update — still exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from scheduler.channels import key_of
from scheduler.sender import Sender
from storage import deliveries
from tests.scheduler.helpers import (
    ALICE,
    PROGRAMME_CHANNEL,
    age_claims,
    amsterdam,
    milestone,
    moments,
    region,
    seed,
    tick,
)

# Due Friday 19 June 2020: w10 on 5 June, w2 on 17 June, due on 19 June.
DUE = date(2020, 6, 19)


class Crash(BaseException):
    """A kill -9 right after Slack answered."""


def _posts(fake, channel):
    """The reminders posted to `channel` ("Jouw week" DMs left out)."""
    return [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == channel
            and key_of({"metadata": c.args["metadata"]}).startswith("reminder:")]


def test_it_threads_later_reminders_under_the_first_and_keeps_the_first_current(
    store, schedule, fake_slack, slack_channel
):
    seed(store.factory, region([milestone("a", DUE)]))
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    for now in moments(date(2020, 6, 1), DUE):
        tick(store.factory, sender, now, schedule)
    dm = fake_slack.calls_to("conversations.open")[0]
    assert dm.args["users"] == ALICE
    for channel in (PROGRAMME_CHANNEL, ALICE):
        # The fake opens a DM "channel" under the user id itself.
        posts = _posts(fake_slack, channel)
        stages = [key_of({"metadata": p.args["metadata"]}).split(":")[3] for p in posts]
        assert stages == ["w10", "w2", "due"]
        first, second, due = posts
        assert "thread_ts" not in first.args
        messages = {m["ts"]: m for m in fake_slack.messages(channel)
                    if key_of(m).startswith("reminder:")}
        root_ts = next(ts for ts, m in messages.items() if "thread_ts" not in m)
        assert second.args["thread_ts"] == due.args["thread_ts"] == root_ts
        assert "reply_broadcast" not in second.args
        assert due.args["reply_broadcast"] in (True, "true", "1")
        # The first card was updated after each reply and now says what is true today.
        updates = [c for c in fake_slack.calls_to("chat.update")
                   if c.args["channel"] == channel and c.args["ts"] == root_ts]
        assert len(updates) == 2
        assert "Vandaag is de deadline" in messages[root_ts]["text"]
    with store.session() as session:
        sent = deliveries.find_deliveries(session, statuses=["sent"])
    assert len([d for d in sent if d.kind == deliveries.REMINDER]) == 6


def test_it_finds_a_reply_posted_before_a_crash_in_its_thread(
    store, schedule, fake_slack, slack_channel
):
    seed(store.factory, region([milestone("a", DUE)], subscriptions=False))
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 6, 5)), schedule)  # w10, the root

    def kill(key: str) -> None:
        raise Crash(key)

    doomed = Sender(store.factory, slack_channel, schedule=schedule, worker="doomed",
                    after_post=kill)
    w2 = amsterdam(date(2020, 6, 17))
    with pytest.raises(Crash):
        tick(store.factory, doomed, w2, schedule)
    restarted = Sender(store.factory, slack_channel, schedule=schedule, worker="restarted")
    age_claims(store.factory, timedelta(minutes=6))  # staleness is the database's clock
    report = tick(store.factory, restarted, w2 + timedelta(minutes=6), schedule)
    assert len(report.found) == 1
    assert not [key for key in report.sent if key.startswith("reminder:")]
    assert fake_slack.calls_to("conversations.replies")
    keys = Counter(key_of({"metadata": c.args.get("metadata")})
                   for c in fake_slack.calls_to("chat.postMessage"))
    assert set(keys.values()) == {1}
    assert len([k for k in keys if k.startswith("reminder:")]) == 2
    with store.session() as session:
        assert set(deliveries.count_by_status(session)) == {"sent"}
