"""/regio, mentions and DMs through the real Slack path, and retried events."""

from __future__ import annotations

import threading

from sqlalchemy import select

from commands.core import Reply, Text
from storage.models import AuditEntry, Milestone
from tests.bot.conftest import ALICE, BOB, CHANNEL, DM, blocks_text
from tests.fakeslack import BOT_ID, BOT_USER_ID


def _answer_at(web, response_url: str):
    [call] = web.slack.wait_for("response_url", where=lambda c: response_url.endswith(c.path))
    return call


def test_it_acks_a_command_and_answers_ephemerally_at_the_response_url(web):
    response, response_url = web.sender.command("wanneer is de volgende BOSD?")
    assert response.status_code == 200
    answer = _answer_at(web, response_url)
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"]
    assert "12 maart 2020" in blocks_text(answer.args["blocks"])


def test_it_posts_a_shared_answer_in_the_channel(web):
    _, response_url = web.sender.command("bosd volgende deel")
    answer = _answer_at(web, response_url)
    assert answer.args["response_type"] == "in_channel"


def test_it_answers_an_empty_command_with_help(web):
    _, response_url = web.sender.command("")
    answer = _answer_at(web, response_url)
    assert "mijlpa" in blocks_text(answer.args["blocks"]).lower()


def test_it_acks_before_the_answer_is_ready(web, monkeypatch):
    # The answer waits until the test has seen the ack: ack comes first, not last.
    release = threading.Event()

    def slow_handle(text, ctx):
        assert release.wait(10)
        return Reply(summary="klaar", parts=[Text("klaar")])

    monkeypatch.setattr("commands.dispatch.handle", slow_handle)
    response, response_url = web.sender.command("help")
    assert response.status_code == 200
    assert web.slack.calls_to("response_url") == []
    release.set()
    assert _answer_at(web, response_url).args["text"] == "klaar"


def test_it_apologises_when_a_handler_fails(web, monkeypatch):
    def broken(text, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr("commands.dispatch.handle", broken)
    _, response_url = web.sender.command("help")
    answer = _answer_at(web, response_url)
    assert answer.args["response_type"] == "ephemeral"
    assert "Er ging iets mis" in answer.args["text"]
    assert "boom" not in answer.args["text"]


def test_it_marks_a_milestone_done_by_command_for_its_owner_only(web):
    milestone_id = web.seed.milestone_id
    _, refused_url = web.sender.command(f"mijlpaal {milestone_id} gereed", user_id=BOB)
    _answer_at(web, refused_url)
    with web.factory() as session:
        assert session.get(Milestone, milestone_id).status == "open"
        assert session.scalars(select(AuditEntry)).all() == []

    _, done_url = web.sender.command(f"mijlpaal {milestone_id} gereed", user_id=ALICE)
    _answer_at(web, done_url)
    with web.factory() as session:
        assert session.get(Milestone, milestone_id).status == "done"
        assert [e.action for e in session.scalars(select(AuditEntry))] == ["milestone.done"]


def test_it_answers_a_mention_in_its_thread(web):
    response, ts = web.sender.mention("wanneer is de volgende BOSD?")
    assert response.status_code == 200
    [post] = web.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    assert post.args["thread_ts"] == ts
    assert "12 maart 2020" in blocks_text(post.args["blocks"])
    assert f"<@{BOT_USER_ID}>" not in post.args["text"]


def test_it_answers_a_mention_inside_a_thread_in_that_thread(web):
    web.sender.mention("wie gewoon thuis", thread_ts="1583050000.000001")
    [post] = web.slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == "1583050000.000001"


def test_it_answers_a_direct_message_in_the_dm(web):
    response, _ = web.sender.direct_message("wanneer is de volgende BOSD?")
    assert response.status_code == 200
    [post] = web.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == DM
    assert "thread_ts" not in post.args
    assert "12 maart 2020" in blocks_text(post.args["blocks"])


def test_it_ignores_bot_messages_and_message_subtypes(web):
    for text, extra in [
        ("ik ben een bot", {"bot_id": "B0OTHER"}),
        ("van onszelf", {"user": BOT_USER_ID, "bot_id": BOT_ID}),
        ("bewerkt", {"subtype": "message_changed"}),
        ("erbij", {"subtype": "channel_join"}),
    ]:
        response, _ = web.sender.direct_message(text, **extra)
        assert response.status_code == 200
    web.settle()
    assert web.slack.calls_to("chat.postMessage") == []


def test_it_answers_a_retried_event_once(web):
    first, ts = web.sender.mention("wanneer is de volgende BOSD?", event_id="Ev0RETRY01")
    assert first.status_code == 200
    again = web.sender.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER_ID}> wanneer is de volgende BOSD?",
         "ts": ts, "channel": CHANNEL, "event_ts": ts},
        event_id="Ev0RETRY01", retry=1,
    )
    assert again.status_code == 200
    third = web.sender.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER_ID}> wanneer is de volgende BOSD?",
         "ts": ts, "channel": CHANNEL, "event_ts": ts},
        event_id="Ev0RETRY01", retry=2,
    )
    assert third.status_code == 200
    web.settle()
    assert len(web.slack.calls_to("chat.postMessage")) == 1


def test_it_answers_different_events_each(web):
    web.sender.mention("wanneer is de volgende BOSD?")
    web.sender.mention("wanneer is de volgende BOSD?")
    web.slack.wait_for("chat.postMessage", count=2)


def test_it_answers_once_when_a_retry_arrives_while_the_first_is_still_running(web, monkeypatch):
    release = threading.Event()
    calls: list[str] = []

    def slow_handle(text, ctx):
        calls.append(text)
        assert release.wait(10)
        return Reply(summary="klaar", parts=[Text("klaar")])

    monkeypatch.setattr("commands.dispatch.handle", slow_handle)
    _, ts = web.sender.mention("hoi", event_id="Ev0SLOW")
    retry = web.sender.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER_ID}> hoi", "ts": ts,
         "channel": CHANNEL, "event_ts": ts},
        event_id="Ev0SLOW", retry=1,
    )
    assert retry.status_code == 200
    release.set()
    web.settle()
    assert calls == ["hoi"]
    assert len(web.slack.calls_to("chat.postMessage")) == 1


def test_it_ignores_a_mention_in_a_dm_which_message_im_answers(web):
    web.sender.mention("hoi", channel="D0ALICE")
    web.settle()
    assert web.slack.calls_to("chat.postMessage") == []


def test_it_acks_while_every_answer_thread_is_busy(web, monkeypatch):
    # Acks run in the request's thread, not in the pool that computes answers, so a
    # burst of slow answers cannot hold back the next 200.
    from bot.app import ANSWER_THREADS

    release = threading.Event()
    started = threading.Semaphore(0)

    def slow_handle(text, ctx):
        started.release()
        assert release.wait(20)
        return Reply(summary="klaar", parts=[Text("klaar")])

    monkeypatch.setattr("commands.dispatch.handle", slow_handle)
    try:
        for _ in range(ANSWER_THREADS):
            assert web.sender.command("help")[0].status_code == 200
        for _ in range(ANSWER_THREADS):
            assert started.acquire(timeout=10)
        for _ in range(3):
            response, _ = web.sender.command("help")
            assert response.status_code == 200
        assert web.slack.calls_to("response_url") == []
    finally:
        release.set()
    web.slack.wait_for("response_url", count=ANSWER_THREADS + 3, timeout=20)


def test_it_answers_a_mention_for_the_asker_only_when_the_answer_is_private(web):
    # A feed URL is a secret: asked in a channel, it still reaches only the asker.
    _, ts = web.sender.mention("kalender", user=ALICE)
    [notice] = web.slack.wait_for("chat.postEphemeral")
    assert notice.args["user"] == ALICE
    assert notice.args["channel"] == CHANNEL
    assert notice.args["thread_ts"] == ts
    assert "/calendar/" in notice.args["text"] or "/calendar/" in blocks_text(notice.args["blocks"])
    web.settle()
    assert web.slack.calls_to("chat.postMessage") == []


def test_it_refuses_a_change_by_mention_to_the_asker_only(web):
    milestone_id = web.seed.milestone_id
    web.sender.mention(f"mijlpaal {milestone_id} gereed", user=BOB)
    [notice] = web.slack.wait_for("chat.postEphemeral")
    assert notice.args["user"] == BOB
    web.settle()
    assert web.slack.calls_to("chat.postMessage") == []
    with web.factory() as session:
        assert session.get(Milestone, milestone_id).status == "open"
