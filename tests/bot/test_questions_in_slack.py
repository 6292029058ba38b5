"""Questions through the real Slack path: a mention and a DM are answered in the language
they are asked in, whatever REGIOBOT_LANG says, and a Slack mention of a linked user is
that person."""

from __future__ import annotations

from tests.bot.conftest import ALICE, CHANNEL, DM, blocks_text


def test_it_answers_an_english_mention_in_english(web):
    web.sender.mention("when is the next BOSD?")
    [post] = web.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    text = blocks_text(post.args["blocks"])
    assert "The next BOSD is" in text and "12 March 2020" in text
    assert "maart" not in text and "maart" not in post.args["text"]


def test_it_answers_an_english_direct_message_in_english(web):
    web.sender.direct_message("which milestones of gewoon thuis are still open?")
    [post] = web.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == DM
    text = blocks_text(post.args["blocks"])
    assert web.seed.milestone_title in text
    assert "2 milestones" in text and "mijlpalen" not in text


def test_it_answers_a_dutch_direct_message_in_dutch(web):
    web.sender.direct_message("wanneer is de volgende BOSD?")
    [post] = web.slack.wait_for("chat.postMessage")
    assert "De volgende BOSD is" in blocks_text(post.args["blocks"])


def test_it_reads_a_slack_mention_of_a_linked_user_as_that_person(web):
    web.sender.direct_message(f"wat doet <@{ALICE}>?")
    [post] = web.slack.wait_for("chat.postMessage")
    assert "Alice de Vries" in blocks_text(post.args["blocks"])


def test_it_says_it_does_not_know_a_name_instead_of_answering_about_another(web):
    web.sender.direct_message("wie is de programmamanager van Jeugdzorg Utrecht?")
    [post] = web.slack.wait_for("chat.postMessage")
    text = blocks_text(post.args["blocks"])
    assert "Dat weet ik niet" in text and "Utrecht" in text
    assert "Alice de Vries" not in text
