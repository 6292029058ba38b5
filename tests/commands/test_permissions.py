"""Who may change what, as each changing subcommand declares it (`may=`): refused with a
clear answer and nothing changed, for a command, a button and a form alike; and the help
text says who may from the same declaration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commands import registry
from commands.changes import milestone_done, submit_agenda_form
from commands.permissions import COORDINATOR, MILESTONE
from storage.models import AgendaItem, AuditEntry, Meeting, Milestone, Person, Subscription
from tests.commands.support import ANKE, BOB, CARLA, MANON, text_of


def _store(bot) -> tuple:
    """Everything a change could touch, to compare before and after."""
    bot.session.expire_all()
    s = bot.session
    return (
        [(m.id, m.status, m.due_date, m.owner_id, m.sequence) for m in s.scalars(
            select(Milestone).order_by(Milestone.id))],
        [(i.meeting_id, i.title) for i in s.scalars(select(AgendaItem).order_by(AgendaItem.id))],
        [(x.channel_id, x.topic, x.programme_id) for x in s.scalars(
            select(Subscription).order_by(Subscription.id))],
        [(p.name, p.slack_user_id) for p in s.scalars(select(Person).order_by(Person.id))],
        len(s.scalars(select(AuditEntry)).all()),
    )


def _milestone_id(bot) -> int:
    return bot.session.scalar(select(Milestone.id).where(Milestone.key == "wachtlijst-k3"))


# One change per declared subcommand, with someone who may and someone who may not.
# {m}: the id of a milestone of Gewoon Thuis Jeugd (whose programmamanager is Anke).
CHANGES = {
    "agenda": ("agenda 2 toevoegen Iets nieuws", CARLA, ANKE),
    "koppel": ("koppel <@UNEW123> Rik Scheele", CARLA, ANKE),
    "volg": ("volg bosd", CARLA, ANKE),
    "ontvolg": ("ontvolg GTJ", CARLA, ANKE),
    "mijlpaal": ("mijlpaal {m} gereed", ANKE, MANON),
}
SUBCOMMANDS = registry.load_all()
DECLARED = sorted({entry.name for entry in SUBCOMMANDS.values() if entry.may is not None})


def test_it_has_a_change_to_try_for_every_subcommand_that_declares_who_may():
    assert sorted(CHANGES) == DECLARED


@pytest.mark.parametrize("name", DECLARED)
def test_it_refuses_who_may_not_with_a_clear_answer_and_changes_nothing(bot, name):
    text, _, stranger = CHANGES[name]
    bot.ask("volg GTJ", user=CARLA)  # something to unfollow
    before = _store(bot)
    reply = bot.ask(text.format(m=_milestone_id(bot)), user=stranger)
    assert not reply.ok and reply.refused and not reply.changed
    words = text_of(reply)
    assert "Dat mag je niet" in words and "Er is niets veranderd" in words
    assert _store(bot) == before


@pytest.mark.parametrize("name", DECLARED)
def test_it_lets_who_may_make_the_change(bot, name):
    text, allowed, _ = CHANGES[name]
    bot.ask("volg GTJ", user=CARLA)
    before = _store(bot)
    reply = bot.ask(text.format(m=_milestone_id(bot)), user=allowed)
    assert reply.ok and reply.changed
    assert _store(bot) != before


@pytest.mark.parametrize("name", DECLARED)
def test_it_says_who_may_in_the_help_of_each_changing_subcommand(bot, name):
    who = SUBCOMMANDS[name].may.who("nl")
    assert f"Wijzigen mogen: {who}." in text_of(bot.ask(f"help {name}"))


def test_it_says_who_may_change_what_in_the_overview(bot):
    overview = text_of(bot.ask("help"))
    assert f"`mijlpaal` — {MILESTONE.who('nl')}" in overview
    assert f"`volg` — {COORDINATOR.who('nl')}" in overview


def test_it_says_who_may_in_english(bot):
    assert "Who may change: admins and coordinators." in text_of(
        bot.ask("help volg", lang="en"))


def test_it_refuses_the_milestone_button_like_the_command(bot):
    before = _store(bot)
    by_button = bot.press(milestone_done, _milestone_id(bot), user=MANON)
    by_command = bot.ask(f"mijlpaal {_milestone_id(bot)} gereed", user=MANON)
    assert by_button.refused and by_command.refused
    assert text_of(by_button) == text_of(by_command)
    assert _store(bot) == before


def test_it_refuses_the_agenda_form_like_the_command(bot):
    meeting = bot.session.scalar(select(Meeting).where(Meeting.number == 2))
    before = _store(bot)
    result = submit_agenda_form(str(meeting.id), {"title": "Iets"}, bot.ctx(BOB))
    bot.session.commit()
    assert result.reply is None
    assert "Dat mag je niet: alleen beheerders en coördinatoren" in result.errors["title"]
    assert _store(bot) == before
