"""Catch-up posts after downtime: posted on a working day at the posting hour, worded as
of the day they are posted (issue 12 point 9)."""

from __future__ import annotations

from datetime import date

from scheduler.planner import run_planner
from scheduler.sender import Sender
from storage import deliveries
from tests.scheduler.helpers import amsterdam, milestone, region, seed, tick


def _texts(console) -> list[str]:
    return [message["text"] for _, _, message in console.posts]


def test_it_posts_a_missed_reminder_on_the_next_working_day_counted_from_then(
    store, schedule, console
):
    # Due Friday 13 March 2020: the w10 reminder was due Friday 28 February, 09:00.
    seed(store.factory, region([milestone("a", date(2020, 3, 13))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    # The clock was down from Thursday 27 February and comes back on Sunday 1 March.
    tick(store.factory, sender, amsterdam(date(2020, 3, 1), "10:00"), schedule)
    assert console.posts == []  # not on a Sunday
    with store.session() as session:
        planned = deliveries.find_deliveries(session, kind=deliveries.REMINDER)
    assert {row.planned_for for row in planned} == {amsterdam(date(2020, 3, 2), "09:00")}
    tick(store.factory, sender, amsterdam(date(2020, 3, 2), "09:00"), schedule)
    texts = _texts(console)
    assert texts and all("over 9 werkdagen" in text for text in texts)
    assert not any("10 werkdagen" in text for text in texts)


def test_it_posts_a_reminder_missed_earlier_today_at_once(store, schedule, console):
    seed(store.factory, region([milestone("a", date(2020, 3, 13))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    # Down on Friday 28 February from 08:00 to 14:00: still its own day.
    tick(store.factory, sender, amsterdam(date(2020, 2, 28), "14:00"), schedule)
    texts = _texts(console)
    assert texts and all("over 10 werkdagen" in text for text in texts)


def test_it_posts_a_stage_missed_earlier_on_its_own_day_at_once_however_late(
    store, schedule, console
):
    seed(store.factory, region([milestone("a", date(2020, 3, 3))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 3, 3), "23:00"), schedule)
    reminders = [m["text"] for _, key, m in console.posts if key.startswith("reminder:")]
    assert reminders and all("Vandaag is de deadline" in text for text in reminders)


def test_it_skips_a_missed_stage_whose_successor_is_due_first(store, schedule, console):
    # Due Monday 9 March: w2 on Thursday 5 March, the due-day stage on Monday 09:00.
    # Down from Thursday 08:00 until Saturday: the next posting moment for the w2 stage
    # would be Monday 09:00, when the due-day reminder says more. Only that one is posted.
    seed(store.factory, region([milestone("a", date(2020, 3, 9))]))
    run_planner(store.factory, now=amsterdam(date(2020, 3, 7), "10:00"), schedule=schedule)
    with store.session() as session:
        assert deliveries.find_deliveries(session, kind=deliveries.REMINDER) == []
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 3, 9), "09:00"), schedule)
    stages = {key.split(":")[3] for _, key, _ in console.posts if key.startswith("reminder:")}
    assert stages == {"due"}


def test_it_counts_the_days_late_in_a_catch_up_digest_from_the_posting_day(
    store, schedule, console
):
    # Due Friday 21 February: late. The digest of Monday 2 March is caught up on
    # Wednesday 4 March (down Monday and Tuesday).
    seed(store.factory, region([milestone("late", date(2020, 2, 21))]))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 3, 4), "09:00"), schedule)
    digest = [m for _, key, m in console.posts if key.startswith("digest:2020-03-02")]
    assert digest
    blocks = " ".join(str(b) for b in digest[0]["blocks"])
    # 24 Feb … 4 March: 8 working days late on Wednesday 4 March (6 on Monday).
    assert "8 werkdagen te laat" in blocks and "4 maart 2020" in blocks
