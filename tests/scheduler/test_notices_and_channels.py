"""What the posts say (Dutch, English, within Slack's limits) and how the Slack channel
classifies what Slack answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from commands import notices
from commands.render import MAX_BLOCKS, to_message
from scheduler.channels import (
    ConsoleChannel,
    PermanentError,
    RateLimited,
    TransientError,
    metadata_for,
)
from storage.models import Milestone, Person, Programme

MESSAGE = {"text": "hoi", "blocks": []}


def _milestone(n: int = 1, *, status: str = "open") -> Milestone:
    milestone = Milestone(
        id=n, title=f"Mijlpaal {n}", due_date=date(2020, 6, 30), period_label="K2",
        status=status, done_at=datetime(2020, 6, 20, tzinfo=UTC) if status == "done" else None,
    )
    milestone.programme = Programme(name="Gewoon Thuis", slug="gewoon-thuis")
    milestone.owner = Person(name="Alice de Vries", slack_user_id="U0ALICE")
    milestone.project = None
    return milestone


def test_it_speaks_dutch_by_default_and_english_when_asked():
    dutch = notices.milestone_reminder(_milestone(), stage="w10",
                                       reminded_for=date(2020, 6, 30), today=date(2020, 6, 16))
    english = notices.milestone_reminder(_milestone(), stage="w2", reminded_for=date(2020, 6, 30),
                                         today=date(2020, 6, 26), lang="en")
    assert dutch.summary == "Herinnering: over 10 werkdagen is de deadline: Mijlpaal 1"
    assert english.summary == "Reminder: due in 2 working days: Mijlpaal 1"
    assert "30 June 2020" in str(to_message(english, lang="en")["blocks"])


def test_it_shows_a_done_milestone_without_buttons():
    reply = notices.milestone_reminder(_milestone(status="done"), stage="w10",
                                       reminded_for=date(2020, 6, 30), today=date(2020, 6, 16))
    blocks = to_message(reply)["blocks"]
    assert reply.summary.startswith("✅ Gereed")
    assert "actions" not in [b["type"] for b in blocks]


def test_it_keeps_a_long_digest_within_slacks_limits():
    late = [_milestone(n) for n in range(1, 41)]
    message = to_message(notices.late_digest(late, day=date(2020, 7, 6)))
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert "en nog 29" in str(message["blocks"][-1])
    assert message["text"].startswith("Te late mijlpalen (40)")


def test_it_counts_one_working_day_late_as_one():
    # Due Tuesday 30 June 2020: on Wednesday 1 July one working day late, on Monday 6 July four.
    one = str(to_message(notices.late_digest([_milestone()], day=date(2020, 7, 1)))["blocks"])
    four = str(to_message(notices.late_digest([_milestone()], day=date(2020, 7, 6), lang="en"), lang="en")["blocks"])
    assert "· 1 werkdag te laat" in one
    assert "· 4 working days late" in four


def test_it_calls_for_agenda_items_one_working_day_ahead_in_the_singular():
    from storage.models import Meeting

    meeting = Meeting(id=1, date=date(2020, 3, 12), status="scheduled")
    meeting.agenda_items = []
    one = notices.bosd_call(meeting, meeting_day=date(2020, 3, 12), working_days=1,
                            deadline=date(2020, 3, 11))
    ten = notices.bosd_call(meeting, meeting_day=date(2020, 3, 12), working_days=10,
                            deadline=date(2020, 3, 5), lang="en")
    assert "Over 1 werkdag vergadert het BOSD." in str(to_message(one)["blocks"])
    assert "The BOSD meets in 10 working days." in str(to_message(ten, lang="en")["blocks"])


def test_it_posts_and_classifies_slack_answers(slack_channel, fake_slack):
    ts = slack_channel.post("C0PROG", MESSAGE, metadata_for("k1"))
    assert slack_channel.find_by_key("C0PROG", "k1") == ts
    assert slack_channel.find_by_key("C0PROG", "k2") is None
    fake_slack.fail_next(1, status=429, retry_after=7, method="chat.postMessage")
    with pytest.raises(RateLimited) as limited:
        slack_channel.post("C0PROG", MESSAGE, metadata_for("k2"))
    assert limited.value.retry_after == 7
    fake_slack.fail_next(1, status=503, method="chat.postMessage")
    with pytest.raises(TransientError) as unavailable:
        slack_channel.post("C0PROG", MESSAGE, metadata_for("k2"))
    assert unavailable.value.ambiguous
    for code in ("channel_not_found", "not_in_channel", "invalid_auth", "account_inactive",
                 "is_archived"):
        fake_slack.fail_next(1, error=code, method="chat.postMessage")
        with pytest.raises(PermanentError) as refused:
            slack_channel.post("C0PROG", MESSAGE, metadata_for("k2"))
        assert refused.value.code == code


def test_it_opens_a_dm_for_a_user_target(slack_channel, fake_slack):
    assert slack_channel.resolve("U0ALICE") == "U0ALICE"  # the fake has no D… ids
    assert slack_channel.resolve("C0PROG") == "C0PROG"
    slack_channel.resolve("U0ALICE")
    assert len(fake_slack.calls_to("conversations.open")) == 1  # remembered


def test_it_prints_posts_with_their_key_on_the_console(console):
    ts = console.post("C0PROG", to_message(notices.late_digest([_milestone()],
                                                               day=date(2020, 7, 6))),
                      metadata_for("digest:2020-07-06:C0PROG"))
    out = console.stream.getvalue()
    assert "key=digest:2020-07-06:C0PROG" in out and "Mijlpaal 1" in out
    assert console.find_by_key("C0PROG", "digest:2020-07-06:C0PROG") == ts
    assert isinstance(console, ConsoleChannel)


def test_it_joins_a_public_channel_it_posted_to_unjoined_before_reading_its_history(
    fake_slack, slack_channel
):
    ts = slack_channel.post("C0PUBLIC", {"text": "herinnering"}, metadata_for("reminder:x"))
    fake_slack.fail_next(1, error="not_in_channel", method="conversations.history")

    assert slack_channel.find_by_key("C0PUBLIC", "reminder:x") == ts
    assert [c.args["channel"] for c in fake_slack.calls_to("conversations.join")] == ["C0PUBLIC"]


def test_it_gives_up_on_a_history_it_cannot_read_even_after_joining(fake_slack, slack_channel):
    fake_slack.fail_next(2, error="not_in_channel", method="conversations.history")
    with pytest.raises(PermanentError):
        slack_channel.find_by_key("C0PRIVATE", "reminder:x")
