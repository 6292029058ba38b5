"""The sender against a fake Slack on loopback: exactly once through 429s, 5xx,
timeouts, crashes and a second sender; failures told to admins; posted messages
updated in place."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from slack_sdk import WebClient

from scheduler.channels import SlackChannel, TransientError, key_of
from scheduler.planner import run_planner
from scheduler.sender import Sender
from storage import deliveries
from storage.db import transaction
from storage.models import Meeting, Milestone
from storage.queries import add_agenda_item, set_milestone_status
from tests.scheduler.helpers import (
    ALICE,
    BOSD_CHANNEL,
    PROGRAMME_CHANNEL,
    age_claims,
    amsterdam,
    meeting,
    milestone,
    moments,
    region,
    seed,
    tick,
)

W10 = amsterdam(date(2020, 6, 16))  # the w10 reminder of a milestone due 30 June 2020


class Crash(BaseException):
    """A kill -9 at the worst moment: nothing after it runs, no except clause sees it."""


def _posted_keys(fake) -> Counter:
    """How often each delivery key was posted successfully (from Slack's side)."""
    return Counter(key_of({"metadata": c.args.get("metadata")})
                   for c in fake.calls_to("chat.postMessage"))


def _stepped(factory, sender, fake, start: datetime, *, step: timedelta, count: int, schedule):
    """Tick every `step`; return [(simulated moment, call)] of the calls to Slack."""
    timeline = []
    now = start
    for _ in range(count):
        seen = len(fake.calls)
        tick(factory, sender, now, schedule)
        timeline += [(now, call) for call in fake.calls[seen:]]
        now += step
    return timeline


def _one_milestone(store, owner="Alice de Vries"):
    seed(store.factory, region([milestone("a", date(2020, 6, 30), owner=owner)]))


def test_it_posts_with_the_key_in_metadata_and_records_the_ts(store, schedule, fake_slack,
                                                                slack_channel):
    _one_milestone(store)
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    report = tick(store.factory, sender, W10, schedule)
    assert len(report.sent) == 2
    calls = fake_slack.calls_to("chat.postMessage")
    assert {c.args["channel"] for c in calls} == {ALICE, PROGRAMME_CHANNEL}
    assert all(c.args["metadata"]["event_type"] == "regiobot_delivery" for c in calls)
    assert "over 10 werkdagen" in calls[0].args["text"]
    actions = [b for b in calls[0].args["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [
        "milestone_done", "milestone_snooze_tomorrow", "milestone_snooze",
        "milestone_snooze_date", "milestone_move_form", "milestone_owner_form"]
    with store.session() as session:
        sent = deliveries.find_deliveries(session, statuses=["sent"])
    assert {d.slack_ts for d in sent} == {
        m["ts"] for ch in (ALICE, PROGRAMME_CHANNEL) for m in fake_slack.messages(ch)}


def test_it_waits_for_retry_after_when_rate_limited(store, schedule, fake_slack,
                                                     slack_channel):
    _one_milestone(store)
    fake_slack.fail_next(3, status=429, retry_after=30, method="chat.postMessage")
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    timeline = _stepped(store.factory, sender, fake_slack, W10, step=timedelta(seconds=10),
                        count=20, schedule=schedule)
    posts = [(now, call) for now, call in timeline if call.method == "chat.postMessage"]
    assert _posted_keys(fake_slack) == {key: 1 for key in _posted_keys(fake_slack)}
    assert len(_posted_keys(fake_slack)) == 2
    # Every attempt after a 429 came no sooner than Retry-After.
    for index, (when, call) in enumerate(posts):
        if call.status == 429:
            key = key_of({"metadata": call.args["metadata"]})
            later = next(t for t, c in posts[index + 1:]
                         if key_of({"metadata": c.args["metadata"]}) == key)
            assert later - when >= timedelta(seconds=30)
    # A 429 means Slack did nothing: no history lookup needed.
    assert fake_slack.calls_to("conversations.history") == []


def test_it_backs_off_on_server_errors_and_looks_before_posting_again(
    store, schedule, fake_slack, slack_channel
):
    _one_milestone(store, owner="Charlie Bakker")  # one target: the channel
    fake_slack.fail_next(3, status=500, method="chat.postMessage")
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    timeline = _stepped(store.factory, sender, fake_slack, W10, step=timedelta(seconds=15),
                        count=40, schedule=schedule)
    attempts = [now for now, call in timeline if call.method == "chat.postMessage"]
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)]
    # 30 s, 60 s, 120 s (rounded up to the 15 s ticks).
    assert [g >= expected for g, expected in zip(gaps, (timedelta(seconds=30),
            timedelta(seconds=60), timedelta(seconds=120)), strict=True)] == [True] * 3
    assert gaps[0] < gaps[1] < gaps[2]
    assert len(_posted_keys(fake_slack)) == 1 and set(_posted_keys(fake_slack).values()) == {1}
    # A 500 may hide a post that went through: each retry looked first.
    assert len(fake_slack.calls_to("conversations.history")) == 3


def test_it_finds_a_post_that_timed_out_instead_of_posting_it_again(store, schedule,
                                                                     fake_slack):
    _one_milestone(store, owner="Charlie Bakker")
    channel = SlackChannel(WebClient(token="xoxb-test", base_url=fake_slack.api_url,
                                     timeout=0.1, retry_handlers=[]))
    fake_slack.slow_posts, fake_slack.delay = 1, 0.3  # posted, but answered too late
    sender = Sender(store.factory, channel, schedule=schedule, worker="w")
    first = tick(store.factory, sender, W10, schedule)
    assert first.retried and not first.sent
    assert fake_slack.slow_done.wait(timeout=5)  # the fake is free again
    later = tick(store.factory, sender, W10 + timedelta(minutes=1), schedule)
    assert later.found == first.retried
    assert len(fake_slack.messages(PROGRAMME_CHANNEL)) == 1
    with store.session() as session:
        (row,) = deliveries.find_deliveries(session)
    assert (row.status, row.slack_ts) == ("sent", fake_slack.messages(PROGRAMME_CHANNEL)[0]["ts"])


def test_it_waits_its_backoff_from_the_failure_not_from_the_start_of_a_slow_tick(
    store, schedule, slack_channel
):
    """Found by the fault run: a tick with a few timeouts in a row computed each retry
    from the tick's start, so a late failure was due again at once, and its look-up came
    before the timed-out post had landed; that reminder was posted twice."""
    _one_milestone(store)  # the channel and Alice's DM: two posts in one tick
    slow = 0.6

    class TimingOut(type(slack_channel)):
        def post(self, channel, message, metadata):
            time.sleep(slow)
            raise TransientError("timeout", code="timeout")

    sender = Sender(store.factory, TimingOut(slack_channel.client), schedule=schedule,
                    worker="w")
    report = tick(store.factory, sender, W10, schedule)
    assert len(report.retried) == 2
    with store.session() as session:
        rows = sorted(deliveries.find_deliveries(session), key=lambda r: r.next_attempt_at)
    first, second = (r.next_attempt_at - W10 for r in rows)
    assert first >= timedelta(seconds=30 + slow)
    assert second >= timedelta(seconds=30 + 2 * slow)
    assert all(r.needs_lookup for r in rows)


def test_it_takes_the_moment_of_a_failure_from_the_clock_it_was_given(
    store, schedule, slack_channel
):
    """The clock process passes its clock: a failure's retry counts from that clock's
    time, whatever the tick's time was (simulated clocks run faster than real time)."""
    _one_milestone(store, owner="Charlie Bakker")
    failed_at = W10 + timedelta(minutes=5)

    class Failing(type(slack_channel)):
        def post(self, channel, message, metadata):
            raise TransientError("timeout", code="timeout")

    sender = Sender(store.factory, Failing(slack_channel.client), schedule=schedule,
                    worker="w", clock=lambda: failed_at)
    assert tick(store.factory, sender, W10, schedule).retried
    with store.session() as session:
        (row,) = deliveries.find_deliveries(session)
    assert row.next_attempt_at == failed_at + timedelta(seconds=30)


def test_it_keeps_looking_first_when_the_lookup_itself_fails(store, schedule, fake_slack):
    _one_milestone(store, owner="Charlie Bakker")
    channel = SlackChannel(WebClient(token="xoxb-test", base_url=fake_slack.api_url,
                                     timeout=0.1, retry_handlers=[]))
    fake_slack.slow_posts, fake_slack.delay = 1, 0.3  # posted, but answered too late
    sender = Sender(store.factory, channel, schedule=schedule, worker="w")
    assert tick(store.factory, sender, W10, schedule).retried
    assert fake_slack.slow_done.wait(timeout=5)
    fake_slack.fail_next(1, status=500, method="conversations.history")
    assert tick(store.factory, sender, W10 + timedelta(minutes=1), schedule).retried
    fake_slack.fail_next(1, status=429, retry_after=1, method="conversations.history")
    assert tick(store.factory, sender, W10 + timedelta(minutes=3), schedule).retried
    last = tick(store.factory, sender, W10 + timedelta(minutes=6), schedule)
    assert last.found and not last.sent
    assert len(fake_slack.messages(PROGRAMME_CHANNEL)) == 1
    assert len(fake_slack.calls_to("chat.postMessage", ok_only=False)) == 1


def test_it_neither_duplicates_nor_loses_a_post_when_killed_after_slack_answered(
    store, schedule, fake_slack, slack_channel
):
    _one_milestone(store)

    def kill(key):
        raise Crash(key)

    doomed = Sender(store.factory, slack_channel, schedule=schedule, worker="doomed",
                    after_post=kill)
    with pytest.raises(Crash):
        tick(store.factory, doomed, W10, schedule)
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"sending": 1, "pending": 1}
    restarted = Sender(store.factory, slack_channel, schedule=schedule, worker="restarted")
    soon = tick(store.factory, restarted, W10 + timedelta(minutes=1), schedule)
    assert soon.found == []  # not stale yet: the doomed sender might still be at it
    age_claims(store.factory, timedelta(minutes=6))
    later = tick(store.factory, restarted, W10 + timedelta(minutes=6), schedule)
    assert len(later.found) == 1
    assert _posted_keys(fake_slack) == Counter({k: 1 for k in _posted_keys(fake_slack)})
    assert len(_posted_keys(fake_slack)) == 2
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"sent": 2}


def test_it_posts_a_claimed_row_whose_sender_died_before_posting(store, schedule, fake_slack,
                                                                 slack_channel):
    _one_milestone(store, owner="Charlie Bakker")
    run_planner(store.factory, now=W10, schedule=schedule)
    with transaction(store.factory) as session:
        (row,) = deliveries.find_deliveries(session)
        assert deliveries.claim_delivery(session, delivery_id=row.id, worker="dead", now=W10)
    age_claims(store.factory, timedelta(minutes=10))
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="alive")
    report = tick(store.factory, sender, W10 + timedelta(minutes=10), schedule)
    assert report.sent == [row.key]
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert _posted_keys(fake_slack) == Counter({row.key: 1})


def _claimed_by_a_slow_sender(store, schedule, *, now):
    """Plan the reminders, and let a sender whose clock says `now` claim the first one:
    it is still posting it."""
    run_planner(store.factory, now=now, schedule=schedule)
    with transaction(store.factory) as session:
        row = deliveries.find_deliveries(session)[0]
        assert deliveries.claim_delivery(session, delivery_id=row.id, worker="slow", now=now)
    return row.key


@pytest.mark.parametrize("skew", [timedelta(minutes=10), timedelta(days=-365)])
def test_it_leaves_a_fresh_claim_alone_however_far_the_clocks_of_two_senders_disagree(
    store, schedule, fake_slack, slack_channel, skew
):
    _one_milestone(store)
    key = _claimed_by_a_slow_sender(store, schedule, now=W10 - min(skew, timedelta(0)))
    # Another clock process, its clock `skew` ahead of the first one's.
    other = Sender(store.factory, slack_channel, schedule=schedule, worker="other")
    report = other.run(now=W10 + max(skew, timedelta(0)))
    assert key not in report.found + report.sent
    with store.session() as session:
        row = deliveries.delivery_by_key(session, key=key)
        assert (row.status, row.claimed_by) == ("sending", "slow")
    assert key not in _posted_keys(fake_slack)


def test_it_takes_over_a_claim_stale_by_the_database_clock_whatever_its_own_clock_says(
    store, schedule, fake_slack, slack_channel
):
    _one_milestone(store)
    # Claimed by a sender whose clock ran a year ahead, which then died.
    key = _claimed_by_a_slow_sender(store, schedule, now=W10 + timedelta(days=365))
    age_claims(store.factory, timedelta(minutes=6))
    restarted = Sender(store.factory, slack_channel, schedule=schedule, worker="restarted")
    report = restarted.run(now=W10)
    assert key in report.sent
    assert _posted_keys(fake_slack)[key] == 1


def test_it_marks_a_permanent_error_failed_and_tells_the_admins_once(store, schedule,
                                                                    fake_slack, slack_channel):
    seed(store.factory, region([milestone(k, date(2020, 6, 30), owner="Charlie Bakker")
                                for k in ("a", "b")]))
    fake_slack.fail_next(2, error="not_in_channel", method="chat.postMessage")
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w",
                    admins=["U0ADMIN", "U0ADMIN2"])
    first = tick(store.factory, sender, W10, schedule)
    assert len(first.failed) == 2
    for minutes in (1, 2, 60):
        tick(store.factory, sender, W10 + timedelta(minutes=minutes), schedule)
    posts = fake_slack.calls_to("chat.postMessage", ok_only=False)
    # Two failed posts to the channel, then one DM per admin about it (not one per post).
    assert [c.args["channel"] for c in posts] == [
        PROGRAMME_CHANNEL, PROGRAMME_CHANNEL, "U0ADMIN", "U0ADMIN2"]
    assert "not_in_channel" in posts[2].args["text"]
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"failed": 2, "sent": 2}


def test_it_updates_the_posted_reminder_when_the_milestone_is_done(store, schedule,
                                                                   fake_slack, slack_channel):
    _one_milestone(store)
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    tick(store.factory, sender, W10, schedule)
    with transaction(store.factory) as session:
        set_milestone_status(session, milestone=session.query(Milestone).one(), status="done",
                             now=W10 + timedelta(hours=2))
    for now in moments(date(2020, 6, 16), date(2020, 7, 7)):
        tick(store.factory, sender, now, schedule)
    updates = fake_slack.calls_to("chat.update")
    assert sorted(u.args["channel"] for u in updates) == sorted([ALICE, PROGRAMME_CHANNEL])
    for channel in (ALICE, PROGRAMME_CHANNEL):
        (message,) = fake_slack.messages(channel)
        assert message["text"].startswith("✅ Gereed")
        assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # nothing posted after


def test_it_updates_the_posted_agenda_when_an_item_is_added(store, schedule, fake_slack,
                                                            slack_channel):
    seed(store.factory, region([], [meeting("bosd-3", date(2020, 4, 16), number=3,
                                            agenda=["Programma's 2020"])]))
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    for now in moments(date(2020, 4, 1), date(2020, 4, 9)):
        tick(store.factory, sender, now, schedule)
    assert [k.split(":")[0] for k in _posted_keys(fake_slack)] == ["bosd_call", "bosd_agenda"]
    with transaction(store.factory) as session:
        add_agenda_item(session, meeting=session.query(Meeting).one(),
                        title="Verkenning zorglandschap", now=amsterdam(date(2020, 4, 10)))
    for now in moments(date(2020, 4, 10), date(2020, 4, 16)):
        tick(store.factory, sender, now, schedule)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    messages = fake_slack.messages(BOSD_CHANNEL)
    agenda = next(m for m in messages if m["metadata"]["event_payload"]["key"].startswith(
        "bosd_agenda"))
    assert "Verkenning zorglandschap" in str(agenda["blocks"])
    # The call was updated too (its "on the agenda so far"): both are kept current.
    assert len(fake_slack.calls_to("chat.update")) == 2


def test_it_never_posts_twice_with_two_schedulers_on_one_database(store, schedule, fake_slack,
                                                                 slack_channel):
    seed(store.factory, region(
        [milestone(f"m{i}", date(2020, 4, 3) + timedelta(days=3 * i),
                   owner=("Alice de Vries", "Bob Jansen", "Charlie Bakker")[i % 3])
         for i in range(6)],
        [meeting("bosd-3", date(2020, 4, 16), 3, ["Jeugd"])],
    ))
    fake_slack.fail_next(4, status=429, retry_after=1, method="chat.postMessage")
    # Around the post time, and a minute later for the rate-limited ones.
    period = list(moments(date(2020, 3, 20), date(2020, 4, 20), at=("09:00", "09:01")))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def clock_process(name: str) -> None:
        sender = Sender(store.factory, slack_channel, schedule=schedule, worker=name)
        try:
            for now in period:
                barrier.wait(timeout=30)  # both processes see the same time
                tick(store.factory, sender, now, schedule)
        except BaseException as error:  # reported below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=clock_process, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    posted = _posted_keys(fake_slack)
    assert posted and max(posted.values()) == 1
    with store.session() as session:
        rows = deliveries.find_deliveries(session)
    assert {r.status for r in rows} == {"sent"}
    assert set(posted) == {r.key for r in rows}
    assert {r.claimed_by for r in rows} == {"one", "two"}  # both did part of the work


KILLED_SENDER = """
import os, signal, sys
from datetime import datetime
from slack_sdk import WebClient
from scheduler.channels import SlackChannel
from scheduler.planner import Schedule, run_planner
from scheduler.sender import Sender
from storage.db import make_engine, make_sessionmaker

url, api_url, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
factory = make_sessionmaker(make_engine(url))
channel = SlackChannel(WebClient(token="xoxb-test", base_url=api_url, retry_handlers=[]))
sender = Sender(factory, channel, worker="doomed",
                after_post=lambda key: os.kill(os.getpid(), signal.SIGKILL))
run_planner(factory, now=now, schedule=Schedule())
sender.run(now=now)
"""


def test_it_survives_a_kill_9_of_the_clock_process_right_after_slack_answered(
    store, schedule, fake_slack, slack_channel
):
    _one_milestone(store)
    result = subprocess.run(
        [sys.executable, "-c", KILLED_SENDER, store.url, fake_slack.api_url, W10.isoformat()],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # posted, then killed
    age_claims(store.factory, timedelta(minutes=6))
    restarted = Sender(store.factory, slack_channel, schedule=schedule, worker="restarted")
    report = tick(store.factory, restarted, W10 + timedelta(minutes=6), schedule)
    assert len(report.found) == 1 and len(report.sent) == 1
    posted = _posted_keys(fake_slack)
    assert len(posted) == 2 and set(posted.values()) == {1}
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"sent": 2}


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (429, 300)])
def test_it_delivers_everything_once_after_slack_was_down_for_an_hour(
    store, schedule, fake_slack, slack_channel, status, retry_after
):
    seed(store.factory, region([milestone(k, date(2020, 6, 30)) for k in ("a", "b")],
                               [meeting("bosd-6", date(2020, 6, 18), agenda=["Jeugd"])]))
    fake_slack.outage, fake_slack.outage_retry_after = status, retry_after
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    timeline = []
    now, back_at = W10, W10 + timedelta(hours=1)
    while now < W10 + timedelta(hours=2):
        if now >= back_at:
            fake_slack.outage = None
        seen = len(fake_slack.calls)
        tick(store.factory, sender, now, schedule)
        timeline += [(now, call) for call in fake_slack.calls[seen:]]
        now += timedelta(seconds=150)
    posted = _posted_keys(fake_slack)
    assert len(posted) == 5 and set(posted.values()) == {1}  # 2 × (DM, channel) + agenda
    assert all(when >= back_at for when, call in timeline
               if call.method == "chat.postMessage" and call.ok)
    if status == 429:
        # Nothing was tried again within Retry-After of a 429 for the same key.
        last_429: dict[str, datetime] = {}
        for when, call in timeline:
            if call.method != "chat.postMessage":
                continue
            key = key_of({"metadata": call.args["metadata"]})
            if key in last_429:
                assert when - last_429[key] >= timedelta(seconds=retry_after)
            if call.status == 429:
                last_429[key] = when
    else:
        # A 5xx may hide a post that went through: the retries looked first.
        assert fake_slack.calls_to("conversations.history", ok_only=False)
    with store.session() as session:
        assert deliveries.count_by_status(session) == {"sent": 5}
