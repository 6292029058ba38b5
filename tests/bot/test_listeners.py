"""Each listener on its own: called with a mocked Slack client and `ack`, the store of the
test, and no server — beside the end-to-end tests that go through Bolt and the fake Slack."""

from __future__ import annotations

import json
from unittest.mock import Mock

import pytest
from sqlalchemy import select

from bot.listeners import actions, commands, events
from bot.listeners.context import WIRING, Wiring
from regiobot.settings import Settings
from storage.models import Milestone
from tests.bot.conftest import ALICE, BOB, CHANNEL, seed

MESSAGE_TS = "1583053200.000100"


@pytest.fixture
def wired(store):
    """(the listeners' context, the seeded region)."""
    settings = Settings(_env_file=None, database_url=store.url, regiobot_admins=[],
                        regiobot_lang="nl")
    answers = Mock()
    answers.busy.return_value = False
    return {WIRING: Wiring(settings, store.factory, answers=answers, executor=Mock())}, seed(
        store.factory)


def _status(store, milestone_id: int) -> str:
    with store.factory() as session:
        return session.scalar(select(Milestone.status).where(Milestone.id == milestone_id))


def _click(context, *, user: str, value: str, action_id: str = "milestone_done"):
    client, respond = Mock(), Mock()
    body = {"user": {"id": user}, "channel": {"id": CHANNEL},
            "container": {"type": "message", "message_ts": MESSAGE_TS, "channel_id": CHANNEL},
            "message": {"blocks": []}}
    actions.click(body=body, action={"action_id": action_id, "value": value}, client=client,
                  respond=respond, context=context)
    return client


def test_it_acknowledges_a_button_at_once():
    ack = Mock()
    actions.acknowledge(ack)
    ack.assert_called_once_with()


def test_it_marks_a_milestone_done_and_replaces_the_card(store, wired):
    context, region = wired
    client = _click(context, user=ALICE, value=str(region.milestone_id))
    [call] = client.chat_update.call_args_list
    assert (call.kwargs["channel"], call.kwargs["ts"]) == (CHANNEL, MESSAGE_TS)
    assert "gereed gemeld" in call.kwargs["text"]
    assert _status(store, region.milestone_id) == "done"


def test_it_refuses_a_click_of_someone_who_may_not_and_tells_only_them(store, wired):
    context, region = wired
    client = _click(context, user=BOB, value=str(region.milestone_id))
    client.chat_update.assert_not_called()
    [call] = client.chat_postEphemeral.call_args_list
    assert call.kwargs["user"] == BOB and "Dat mag je niet" in call.kwargs["text"]
    assert _status(store, region.milestone_id) == "open"


def test_it_answers_a_button_that_names_no_milestone(wired):
    context, _ = wired
    client = _click(context, user=ALICE, value="not-a-number")
    [call] = client.chat_postEphemeral.call_args_list
    assert call.kwargs["text"] == "Deze knop hoort niet bij een bekende mijlpaal."


def test_it_keeps_a_form_open_with_the_refusal_under_its_field(store, wired):
    context, region = wired
    ack = Mock()
    view = {"callback_id": "milestone_move",
            "private_metadata": json.dumps({"form": str(region.milestone_id), "channel": CHANNEL}),
            "state": {"values": {"due": {"value": {"type": "datepicker",
                                                   "selected_date": "2020-04-15"}}}}}
    actions.submit(ack=ack, body={"user": {"id": BOB}}, view=view, context=context)
    [call] = ack.call_args_list
    assert call.kwargs["response_action"] == "errors"
    assert call.kwargs["errors"]["due"].startswith("Dat mag je niet")
    assert actions.SUBMITTED not in context


def test_it_closes_a_cancelled_form_with_an_ack_alone():
    ack = Mock()
    actions.closed(ack=ack, view={"callback_id": "milestone_move"})
    ack.assert_called_once_with()


def test_it_hands_a_command_to_the_answer_workers_after_the_ack(wired):
    context, _ = wired
    ack, respond, body = Mock(), Mock(), {"text": "bosd"}
    commands.acknowledge(ack=ack, body=body, respond=respond, client=Mock(), context=context)
    ack.assert_called_once_with()
    context[WIRING].answers.submit.assert_called_once_with(body, respond)


def test_it_says_in_the_ack_when_too_many_answers_wait(wired):
    context, _ = wired
    context[WIRING].answers.busy.return_value = True
    ack = Mock()
    commands.acknowledge(ack=ack, body={"text": "bosd"}, respond=Mock(), client=Mock(),
                         context=context)
    assert ack.call_args.kwargs["text"].startswith("Regiobot heeft het even te druk")
    context[WIRING].answers.submit.assert_not_called()


def _event(**fields):
    return {"channel": CHANNEL, "user": ALICE, "ts": MESSAGE_TS, "text": "<@UBOT> bosd",
            **fields}


def test_it_answers_a_mention(wired):
    context, _ = wired
    client = Mock()
    events.mention(event=_event(), client=client, context={**context, "bot_user_id": "UBOT"},
                   body={"event_id": "Ev1"})
    context[WIRING].answers.submit_event.assert_called_once_with(_event(), "UBOT", client,
                                                                 event_id="Ev1")


@pytest.mark.parametrize("event", [
    _event(bot_id="B1"),  # a bot, ourselves included
    _event(subtype="message_changed"),
    _event(channel="D0ALICE"),  # a DM: answered as message.im
    {"channel": CHANNEL, "text": "no user"},
])
def test_it_ignores_a_mention_it_must_not_answer(wired, event):
    context, _ = wired
    events.mention(event=event, client=Mock(), context=context, body={})
    context[WIRING].answers.submit_event.assert_not_called()


def test_it_ignores_a_message_outside_our_dm(wired):
    context, _ = wired
    events.direct_message(event=_event(channel_type="channel"), client=Mock(), context=context,
                          body={})
    context[WIRING].answers.submit_event.assert_not_called()


def test_it_opens_the_form_a_command_names_without_its_value(wired):
    context, region = wired
    ack, client = Mock(), Mock()
    body = {"text": f"mijlpaal {region.milestone_id} verplaats", "trigger_id": "T1",
            "user_id": ALICE, "channel_id": CHANNEL}
    commands.acknowledge(ack=ack, body=body, respond=Mock(), client=client, context=context)
    ack.assert_called_once_with()
    [call] = client.views_open.call_args_list
    assert call.kwargs["trigger_id"] == "T1"
    assert call.kwargs["view"]["callback_id"] == "milestone_move"
    context[WIRING].answers.submit.assert_not_called()
