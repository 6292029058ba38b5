"""The interactive Home tab (issue 12 point 6), through the real Slack path: own
milestones with their buttons, the filter, the next BOSD with "Agendapunt toevoegen"
for coordinators, and "Mijn kalender" shown to that person alone."""

from __future__ import annotations

from datetime import date

from tests.bot.conftest import ALICE, CAROL, blocks_text
from tests.bot.test_home_and_actions import _home_for, _milestone

HOME = {"type": "view", "view_id": "V0HOME"}


def _rows(view: dict) -> dict[str, list[str]]:
    return {b["block_id"]: [e["action_id"] for e in b["elements"]]
            for b in view["blocks"] if b["type"] == "actions"}


def test_it_shows_own_milestones_with_their_buttons_and_the_filter(web):
    view = _home_for(web, ALICE, 1)
    assert view["private_metadata"] == "all"
    rows = _rows(view)
    assert rows["home-filter"] == ["home_filter"] * 4 + ["home_calendar"]
    for milestone_id in (web.seed.milestone_id, web.seed.second_milestone_id):
        assert rows[f"milestone-{milestone_id}"][:4] == [
            "milestone_done", "milestone_snooze_tomorrow", "milestone_snooze",
            "milestone_snooze_date"]
    # Only coordinators get to add agenda items.
    assert not any(key.startswith("meeting-") for key in rows)
    assert "Agendapunt toevoegen" in blocks_text(_home_for(web, CAROL, 2)["blocks"])


def test_it_filters_the_home_tab(web):
    web.sender.click("home_filter", "month", container=HOME)
    [publish] = web.slack.wait_for("views.publish")
    view = publish.args["view"]
    assert view["private_metadata"] == "month"
    text = blocks_text(view["blocks"])
    assert "Plan van aanpak wijkteams vastgesteld" in text  # due 31 March
    assert "Evaluatie pilot respijtzorg" not in text  # due 30 June
    web.sender.click("home_filter", "late", container=HOME)
    late = web.slack.wait_for("views.publish", count=2)[1].args["view"]
    assert "Niets te laat" in blocks_text(late["blocks"])


def test_it_keeps_the_filter_after_a_click_on_the_home_tab(web):
    payload_view = {"type": "view", "view_id": "V0HOME"}
    web.sender.click("milestone_snooze", str(web.seed.second_milestone_id),
                     container=payload_view)
    [publish] = web.slack.wait_for("views.publish")
    assert publish.args["user_id"] == ALICE
    assert _milestone(web, web.seed.second_milestone_id).due_date == date(2020, 7, 7)


def test_it_shows_my_calendar_to_me_alone(web):
    web.sender.click("home_calendar", "person", container=HOME)
    [opened] = web.slack.wait_for("views.open")
    text = blocks_text(opened.args["view"]["blocks"])
    assert "/calendar/" in text and "webcal://" in text
    web.settle()
    assert web.slack.calls_to("chat.postMessage") == []
    assert web.slack.calls_to("chat.postEphemeral") == []
