""""Jouw week" (issue 12 point 7): on the digest morning one DM per linked responsible
person with what is due this week, what is late and the next BOSD — exactly once."""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.sender import Sender
from tests.scheduler.helpers import (
    ALICE,
    BOB,
    amsterdam,
    meeting,
    milestone,
    region,
    seed,
    tick,
)

MONDAY = date(2020, 6, 15)


def test_it_sends_each_person_their_week_once(store, schedule, console):
    seed(store.factory, region(
        [milestone("deze-week", date(2020, 6, 18)), milestone("te-laat", date(2020, 6, 5)),
         milestone("later", date(2020, 7, 31)),
         milestone("van-bob", date(2020, 6, 19), owner="Bob Jansen"),
         milestone("van-charlie", date(2020, 6, 17), owner="Charlie Bakker")],
        [meeting("bosd-6", date(2020, 6, 25), number=6)],
        subscriptions=False,
    ))
    sender = Sender(store.factory, console, schedule=schedule, worker="w")
    for minutes in (0, 5, 60):
        tick(store.factory, sender, amsterdam(MONDAY) + timedelta(minutes=minutes), schedule)
    weeks = {channel: message for channel, key, message in console.posts
             if key.startswith("week:")}
    assert set(weeks) == {ALICE, BOB}  # Charlie is not on Slack
    text = console._text(weeks[ALICE])
    assert "Jouw week (week 25)" in text
    assert "Deze week de deadline (1)" in text and "Mijlpaal deze-week" in text
    assert "Te laat (1)" in text and "Mijlpaal te-laat" in text
    assert "Mijlpaal later" not in text and "Mijlpaal van-bob" not in text
    assert "Volgende BOSD" in text and "25 juni 2020" in text
    assert "Mijlpaal van-bob" in console._text(weeks[BOB])
    # Next Monday again, once.
    for minutes in (0, 5):
        tick(store.factory, sender, amsterdam(MONDAY + timedelta(days=7))
             + timedelta(minutes=minutes), schedule)
    keys = [key for _, key, _ in console.posts if key.startswith("week:")]
    assert len(keys) == len(set(keys)) == 4
