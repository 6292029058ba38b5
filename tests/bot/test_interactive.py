"""Every interactive piece through the real Bolt app on loopback, signed as Slack signs
(issue 12 points 4 and 5): the card's snooze choices and datepicker, the modals opened
with views.open and answered with view_submission (errors shown in the modal with
`response_action: errors`, nothing changed), view_closed, and the same in Socket Mode."""

from __future__ import annotations

import json
from datetime import date

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import select

from storage.models import AgendaItem, Meeting, Milestone
from tests.bot.conftest import ALICE, BOB, CAROL, CHANNEL, blocks_text
from tests.bot.test_home_and_actions import _audit, _milestone


def _open(web, action_id: str, value: str, *, user: str = ALICE, count: int = 1) -> dict:
    response, _ = web.sender.click(action_id, value, user=user)
    assert response.status_code == 200
    call = web.slack.wait_for("views.open", count=count)[count - 1]
    assert call.args["trigger_id"].endswith(".2.def")
    return call.args["view"]


def test_it_offers_every_choice_on_the_card(web):
    web.sender.command(f"mijlpaal {web.seed.milestone_id}")
    [answer] = web.slack.wait_for("response_url")
    [row] = [b for b in answer.args["blocks"] if b["type"] == "actions"]
    assert row["block_id"] == f"milestone-{web.seed.milestone_id}"
    kinds = [(e["type"], e["action_id"]) for e in row["elements"]]
    assert kinds == [
        ("button", "milestone_done"), ("button", "milestone_snooze_tomorrow"),
        ("button", "milestone_snooze"), ("datepicker", "milestone_snooze_date"),
        ("button", "milestone_move_form"), ("button", "milestone_owner_form"),
    ]
    assert "Verantwoordelijk" in blocks_text(answer.args["blocks"])


def test_it_postpones_to_a_picked_date_and_to_tomorrow(web):
    milestone_id = web.seed.milestone_id
    block = f"milestone-{milestone_id}"
    response = web.sender.pick_date(block, "2020-04-15", action_id="milestone_snooze_date")
    assert response.status_code == 200
    [update] = web.slack.wait_for("chat.update")
    assert update.args["ts"] == "1583050000.000100" and "15 april 2020" in update.args["text"]
    assert _milestone(web, milestone_id).due_date == date(2020, 4, 15)
    web.sender.click("milestone_snooze_tomorrow", str(milestone_id))
    web.slack.wait_for("chat.update", count=2)
    # Sunday 1 March: tomorrow's working day is Monday 2 March.
    assert _milestone(web, milestone_id).due_date == date(2020, 3, 2)
    assert [e.action for e in _audit(web)] == ["milestone.snooze", "milestone.snooze"]


def test_it_refuses_a_past_date_and_a_stranger_and_changes_nothing(web):
    milestone_id = web.seed.milestone_id
    web.sender.pick_date(f"milestone-{milestone_id}", "2020-02-20",
                         action_id="milestone_snooze_date")
    [notice] = web.slack.wait_for("chat.postEphemeral")
    assert "na vandaag" in notice.args["text"]
    web.sender.pick_date(f"milestone-{milestone_id}", "2020-04-15",
                         action_id="milestone_snooze_date", user=BOB)
    [_, refusal] = web.slack.wait_for("chat.postEphemeral", count=2)
    assert refusal.args["user"] == BOB and "mag je niet" in refusal.args["text"]
    web.settle()
    assert _milestone(web, milestone_id).due_date == date(2020, 3, 31)
    assert _audit(web) == [] and web.slack.calls_to("chat.update") == []


def test_it_moves_a_milestone_in_a_modal_with_errors_shown_in_the_modal(web):
    milestone_id = web.seed.milestone_id
    view = _open(web, "milestone_move_form", str(milestone_id))
    assert view["type"] == "modal" and view["callback_id"] == "milestone_move"
    [due] = [b for b in view["blocks"] if b.get("block_id") == "due"]
    assert due["element"] == {"action_id": "value", "type": "datepicker",
                              "initial_date": "2020-03-31"}
    past = web.sender.submit_view(view, {"due": {"type": "datepicker",
                                                 "selected_date": "2020-01-15"}})
    assert past.status_code == 200
    assert past.json()["response_action"] == "errors"
    assert "vandaag" in past.json()["errors"]["due"]
    assert _milestone(web, milestone_id).due_date == date(2020, 3, 31)
    ok = web.sender.submit_view(view, {
        "due": {"type": "datepicker", "selected_date": "2020-05-29"},
        "reason": {"type": "plain_text_input", "value": "Wachten op de gemeenteraad"},
    })
    assert ok.status_code == 200 and not ok.content
    [update] = web.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, "1583050000.000100")
    assert "29 mei 2020" in blocks_text(update.args["blocks"])
    assert _milestone(web, milestone_id).due_date == date(2020, 5, 29)
    [entry] = _audit(web)
    assert entry.action == "milestone.move"
    assert entry.detail["reason"] == "Wachten op de gemeenteraad"


def test_it_applies_the_same_permission_check_to_a_submitted_modal(web):
    milestone_id = web.seed.milestone_id
    view = _open(web, "milestone_move_form", str(milestone_id))
    # Bob cannot open it: he is told so, no modal.
    web.sender.click("milestone_move_form", str(milestone_id), user=BOB)
    [notice] = web.slack.wait_for("chat.postEphemeral")
    assert notice.args["user"] == BOB
    # Nor can he submit one (a forged or forwarded view).
    answer = web.sender.submit_view(view, {"due": {"type": "datepicker",
                                                   "selected_date": "2020-05-29"}}, user=BOB)
    assert answer.json()["response_action"] == "errors"
    assert "mag je niet" in answer.json()["errors"]["due"]
    web.settle()
    assert len(web.slack.calls_to("views.open")) == 1
    assert _milestone(web, milestone_id).due_date == date(2020, 3, 31) and _audit(web) == []


def test_it_sets_the_owner_with_a_user_picker(web):
    milestone_id = web.seed.milestone_id
    view = _open(web, "milestone_owner_form", str(milestone_id))
    [owner] = [b for b in view["blocks"] if b.get("block_id") == "owner"]
    assert owner["element"]["type"] == "users_select"
    assert owner["element"]["initial_user"] == ALICE
    stranger = web.sender.submit_view(view, {"owner": {"type": "users_select",
                                                       "selected_user": "U0NOBODY"}})
    assert "aan niemand uit het programma gekoppeld" in stranger.json()["errors"]["owner"]
    ok = web.sender.submit_view(view, {"owner": {"type": "users_select",
                                                 "selected_user": BOB}})
    assert ok.status_code == 200 and not ok.content
    [update] = web.slack.wait_for("chat.update")
    assert "Bob Jansen (<@U0BOB>), eigenaar" in blocks_text(update.args["blocks"])
    with web.factory() as session:
        milestone = session.get(Milestone, milestone_id)
        assert milestone.owner.name == "Bob Jansen"
    assert [e.action for e in _audit(web)] == ["milestone.owner"]


def test_it_adds_an_agenda_item_in_a_modal_for_coordinators_only(web):
    with web.factory() as session:
        meeting_id = session.scalar(select(Meeting.id))
    web.sender.click("agenda_item_form", str(meeting_id), user=ALICE)
    [refused] = web.slack.wait_for("chat.postEphemeral")
    assert refused.args["user"] == ALICE and "mag je niet" in refused.args["text"]
    view = _open(web, "agenda_item_form", str(meeting_id), user=CAROL)
    assert view["callback_id"] == "agenda_item_add"
    [kind] = [b for b in view["blocks"] if b.get("block_id") == "kind"]
    assert [o["value"] for o in kind["element"]["options"]] == [
        "beslispunt", "special", "ter informatie"]
    empty = web.sender.submit_view(view, {"title": {"type": "plain_text_input", "value": " "}},
                                   user=CAROL)
    assert "titel" in empty.json()["errors"]["title"]
    ok = web.sender.submit_view(view, {
        "title": {"type": "plain_text_input", "value": "Jaarverslag jeugd"},
        "kind": {"type": "static_select", "selected_option": {"value": "ter informatie"}},
        "prepared_by": {"type": "plain_text_input", "value": "Anke van der Landen"},
    }, user=CAROL)
    assert ok.status_code == 200 and not ok.content
    with web.factory() as session:
        [item] = session.scalars(select(AgendaItem))
        assert (item.title, item.kind, item.prepared_by) == (
            "Jaarverslag jeugd", "ter informatie", "Anke van der Landen")
    assert [e.action for e in _audit(web)] == ["agenda.add"]


def test_it_opens_the_form_when_a_command_names_a_change_without_its_value(web):
    milestone_id = web.seed.milestone_id
    response, _ = web.sender.command(f"mijlpaal {milestone_id} verplaats")
    assert response.status_code == 200
    [call] = web.slack.wait_for("views.open")
    assert call.args["trigger_id"].endswith(".1.abc")  # the command's own trigger
    view = call.args["view"]
    assert view["callback_id"] == "milestone_move"
    assert web.slack.calls_to("response_url") == []  # the form is the answer
    ok = web.sender.submit_view(view, {"due": {"type": "datepicker",
                                               "selected_date": "2020-05-29"}})
    assert ok.status_code == 200 and not ok.content
    [told] = web.slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == ALICE and "29 mei 2020" in told.args["text"]
    assert _milestone(web, milestone_id).due_date == date(2020, 5, 29)


def test_it_opens_the_owner_and_agenda_forms_from_commands_with_the_same_checks(web):
    web.sender.command(f"mijlpaal {web.seed.milestone_id} eigenaar")
    [owner] = web.slack.wait_for("views.open")
    assert owner.args["view"]["callback_id"] == "milestone_owner"
    with web.factory() as session:
        number = session.scalar(select(Meeting.number).where(Meeting.number.is_not(None)))
    web.sender.command(f"agenda {number} toevoegen", user_id=ALICE)  # no coordinator
    [refused] = web.slack.wait_for("chat.postEphemeral")
    assert refused.args["user"] == ALICE and "mag je niet" in refused.args["text"]
    web.sender.command(f"agenda {number} toevoegen", user_id=CAROL)
    [_, agenda] = web.slack.wait_for("views.open", count=2)
    assert agenda.args["view"]["callback_id"] == "agenda_item_add"
    assert _audit(web) == []


def test_it_changes_nothing_when_a_modal_is_closed(web):
    view = _open(web, "milestone_move_form", str(web.seed.milestone_id))
    response = web.sender.close_view(view)
    assert response.status_code == 200
    web.settle()
    assert _audit(web) == [] and web.slack.calls_to("chat.update") == []
    assert _milestone(web, web.seed.milestone_id).due_date == date(2020, 3, 31)


def test_it_answers_modals_in_socket_mode(web):
    view = _open(web, "milestone_move_form", str(web.seed.milestone_id))
    handler = SocketModeHandler(web.bolt, app_token="xapp-1-test")
    sent = []
    handler.client.send_socket_mode_response = sent.append
    payload = web.sender._view_payload(
        "view_submission", view, {"due": {"type": "datepicker", "selected_date": "2019-01-01"}},
        ALICE)
    handler.handle(handler.client, SocketModeRequest(type="interactive", envelope_id="e-1",
                                                     payload=payload))
    [response] = sent
    assert response.envelope_id == "e-1"
    assert response.payload["response_action"] == "errors"
    payload = web.sender._view_payload(
        "view_submission", view, {"due": {"type": "datepicker", "selected_date": "2020-06-01"}},
        ALICE)
    handler.handle(handler.client, SocketModeRequest(type="interactive", envelope_id="e-2",
                                                     payload=payload))
    assert sent[1].envelope_id == "e-2" and not sent[1].payload
    web.slack.wait_for("chat.update")
    assert _milestone(web, web.seed.milestone_id).due_date == date(2020, 6, 1)
    json.dumps(view)  # the view as opened is plain JSON
