"""A DM speaks its person's language, from their Slack locale (issue 12 point 8);
channels keep REGIOBOT_LANG."""

from __future__ import annotations

from datetime import date

from scheduler.sender import Sender
from storage import linking
from tests.scheduler.helpers import (
    ALICE,
    BOB,
    PROGRAMME_CHANNEL,
    amsterdam,
    milestone,
    region,
    seed,
    tick,
)


def test_it_reminds_in_the_locale_of_the_person_and_asks_slack_once(
    store, schedule, fake_slack, slack_channel
):
    fake_slack.profiles[ALICE] = {"real_name": "Alice de Vries", "locale": "en-GB"}
    seed(store.factory, region([milestone("a", date(2020, 6, 19)),
                                milestone("b", date(2020, 6, 19), owner="Bob Jansen")]))
    sender = Sender(store.factory, slack_channel, schedule=schedule, worker="w")
    tick(store.factory, sender, amsterdam(date(2020, 6, 5)), schedule)
    texts = {c.args["channel"]: c.args["text"] for c in fake_slack.calls_to("chat.postMessage")
             if ":w10:" in str(c.args["metadata"])}
    assert texts[ALICE].startswith("Reminder: due in 10 working days")
    assert texts[BOB].startswith("Herinnering: over 10 werkdagen")  # nl-NL
    assert texts[PROGRAMME_CHANNEL].startswith("Herinnering")
    asked = [c.args["user"] for c in fake_slack.calls_to("users.info")]
    assert sorted(asked) == [ALICE, BOB]
    with store.session() as session:
        assert linking.lang_of(session, slack_user_id=ALICE) == "en"
    tick(store.factory, sender, amsterdam(date(2020, 6, 17)), schedule)
    assert len(fake_slack.calls_to("users.info")) == 2  # known now: not asked again
