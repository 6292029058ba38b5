"""The Home tab and the milestone buttons, through the real Slack path."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.models import AuditEntry, Milestone
from tests.bot.conftest import ALICE, BOB, CAROL, CHANNEL, blocks_text


def _milestone(web, milestone_id: int) -> Milestone:
    with web.factory() as session:
        return session.get(Milestone, milestone_id)


def _audit(web) -> list[AuditEntry]:
    with web.factory() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _line_with(words: str, text: str) -> str:
    [line] = [line for line in text.splitlines() if words in line]
    return line


def _home_for(web, user: str, count: int) -> dict:
    response = web.sender.home_opened(user)
    assert response.status_code == 200
    calls = web.slack.wait_for("views.publish", count=count)
    call = calls[count - 1]
    assert call.args["user_id"] == user
    return call.args["view"]


def test_it_publishes_the_home_tab_with_the_users_milestones(web):
    view = _home_for(web, ALICE, 1)
    assert view["type"] == "home"
    text = blocks_text(view["blocks"])
    assert "Plan van aanpak wijkteams vastgesteld" in text
    assert "Evaluatie pilot respijtzorg" in text
    assert "12 maart 2020" in text  # the next BOSD


def test_it_publishes_nothing_for_the_messages_tab(web):
    assert web.sender.home_opened(ALICE, tab="messages").status_code == 200
    web.settle()
    assert web.slack.calls_to("views.publish") == []


def test_it_marks_a_milestone_done_updates_the_message_and_the_home_tab(web):
    before = blocks_text(_home_for(web, ALICE, 1)["blocks"])
    milestone_id = web.seed.milestone_id

    response, _ = web.sender.click("milestone_done", str(milestone_id), user=ALICE,
                                   message_ts="1583050000.000100")
    assert response.status_code == 200

    update = web.slack.wait_for("chat.update")[0]
    assert update.args["channel"] == CHANNEL
    assert update.args["ts"] == "1583050000.000100"
    assert update.args["text"]
    card = blocks_text(update.args["blocks"])
    assert "Plan van aanpak wijkteams vastgesteld" in card
    # The card no longer offers the buttons of an open milestone.
    assert not any(b["type"] == "actions" for b in update.args["blocks"])

    milestone = _milestone(web, milestone_id)
    assert milestone.status == "done"
    assert milestone.done_at is not None
    [entry] = _audit(web)
    assert entry.action == "milestone.done"
    assert entry.object_id == milestone_id
    assert ALICE in entry.actor

    after = blocks_text(_home_for(web, ALICE, 2)["blocks"])
    assert "gereed" not in _line_with("Plan van aanpak", before)
    assert "gereed" in _line_with("Plan van aanpak", after)
    assert web.slack.calls_to("chat.postEphemeral") == []


def test_it_refuses_an_unauthorised_click_and_tells_only_that_user(web):
    milestone_id = web.seed.milestone_id
    response, _ = web.sender.click("milestone_done", str(milestone_id), user=BOB)
    assert response.status_code == 200

    notice = web.slack.wait_for("chat.postEphemeral")[0]
    assert notice.args["user"] == BOB
    assert notice.args["channel"] == CHANNEL
    web.settle()
    assert web.slack.calls_to("chat.update") == []
    assert web.slack.calls_to("response_url") == []
    assert _milestone(web, milestone_id).status == "open"
    assert _audit(web) == []


def test_it_lets_an_admin_snooze_a_milestone_a_week(web):
    milestone_id = web.seed.milestone_id
    response, _ = web.sender.click("milestone_snooze", str(milestone_id), user=CAROL)
    assert response.status_code == 200
    web.slack.wait_for("chat.update")
    assert _milestone(web, milestone_id).due_date == date(2020, 4, 7)
    assert [e.action for e in _audit(web)] == ["milestone.snooze"]


def test_it_replaces_an_ephemeral_card_through_its_response_url(web):
    container = {"type": "message", "message_ts": "1583050000.000200", "channel_id": CHANNEL,
                 "is_ephemeral": True}
    _, response_url = web.sender.click("milestone_done", str(web.seed.milestone_id),
                                       container=container)
    [answer] = web.slack.wait_for("response_url")
    assert response_url.endswith(answer.path)
    assert answer.args["replace_original"] is True
    assert "blocks" in answer.args
    web.settle()
    assert web.slack.calls_to("chat.update") == []
    assert _milestone(web, web.seed.milestone_id).status == "done"


def test_it_refreshes_the_home_tab_after_a_click_there(web):
    container = {"type": "view", "view_id": "V0HOME"}
    web.sender.click("milestone_done", str(web.seed.milestone_id), container=container)
    [publish] = web.slack.wait_for("views.publish")
    assert publish.args["user_id"] == ALICE
    assert _milestone(web, web.seed.milestone_id).status == "done"


def test_it_answers_a_button_for_an_unknown_milestone_without_changing_anything(web):
    web.sender.click("milestone_done", "999999")
    [notice] = web.slack.wait_for("chat.postEphemeral")
    assert "999999" in notice.args["text"]
    web.sender.click("milestone_done", "not-a-number")
    web.slack.wait_for("chat.postEphemeral", count=2)
    assert _audit(web) == []


def test_it_says_a_button_with_an_impossible_value_belongs_to_no_milestone(web, caplog):
    values = ["1" * 30, "-1", "0", " 12", "\u0661\u0662", "1_0", "9223372036854775808", ""]
    for n, value in enumerate(values, start=1):
        response, _ = web.sender.click("milestone_done", value)
        assert response.status_code == 200
        notice = web.slack.wait_for("chat.postEphemeral", count=n)[n - 1]
        assert notice.args["text"] == "Deze knop hoort niet bij een bekende mijlpaal.", value
    web.settle()
    assert _audit(web) == []
    assert [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info] == []


def test_it_retries_when_slack_is_rate_limited(web):
    web.slack.fail_next(1, status=429, retry_after=1, method="chat.update")
    web.sender.click("milestone_done", str(web.seed.milestone_id))
    web.slack.wait_for("chat.update", timeout=15)
    statuses = [c.status for c in web.slack.calls if c.method == "chat.update"]
    assert statuses == [429, 200]


def test_it_keeps_the_reminders_metadata_when_updating_it(web):
    metadata = {"event_type": "regiobot_delivery", "event_payload": {"key": "reminder:1:due"}}
    web.sender.click("milestone_done", str(web.seed.milestone_id), metadata=metadata)
    [update] = web.slack.wait_for("chat.update")
    assert update.args["metadata"] == metadata


def test_it_leaves_a_digest_in_place_and_shows_the_clicker_the_updated_card(web):
    milestone_id = web.seed.milestone_id
    digest_blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Te late mijlpalen (2)"}},
        *(
            {"type": "actions", "block_id": f"milestone-{n}", "elements": [
                {"type": "button", "action_id": "milestone_done", "value": str(n),
                 "text": {"type": "plain_text", "text": "Gereed"}},
            ]}
            for n in (milestone_id, milestone_id + 1000)
        ),
    ]
    response, _ = web.sender.click(
        "milestone_done", str(milestone_id), user=ALICE, message_blocks=digest_blocks,
        metadata={"event_type": "regiobot_delivery",
                  "event_payload": {"key": "digest:2020-03-02:C0PROG"}},
    )
    assert response.status_code == 200

    [shown] = web.slack.wait_for("chat.postEphemeral")
    assert shown.args["user"] == ALICE
    assert "Plan van aanpak wijkteams vastgesteld" in blocks_text(shown.args["blocks"])
    assert web.slack.calls_to("chat.update") == []
    assert _milestone(web, milestone_id).status == "done"
