"""Agenda items, linking Slack users, channel subscriptions: who may, what is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import AgendaItem, AuditEntry, Meeting, Subscription
from tests.commands.support import ADMIN, ANKE, BOB, CARLA, text_of


def _audit(bot) -> list[AuditEntry]:
    return list(bot.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_it_adds_an_agenda_item_as_coordinator(bot):
    reply = bot.ask("agenda 2 toevoegen Voortgang Gewoon Thuis Jeugd", user=CARLA)
    assert reply.ok and reply.changed
    text = text_of(reply)
    assert "Agendapunt 1 toegevoegd aan BOSD 2 (12 maart 2020)" in text
    assert "1. Voortgang Gewoon Thuis Jeugd" in text
    bot.session.expire_all()
    meeting = bot.session.scalar(select(Meeting).where(Meeting.number == 2))
    assert [i.title for i in meeting.agenda_items] == ["Voortgang Gewoon Thuis Jeugd"]
    assert meeting.sequence == 1
    [entry] = _audit(bot)
    assert (entry.actor, entry.action, entry.object_id) == (CARLA, "agenda.add", meeting.id)
    # The next item goes after the existing ones.
    bot.ask("agenda 1 toevoegen Nog een punt", user=ADMIN)
    assert "3. Nog een punt" in text_of(bot.ask("bosd 1"))


def test_it_refuses_agenda_items_from_others(bot):
    for user in (ANKE, BOB):
        reply = bot.ask("agenda 2 toevoegen Iets", user=user)
        assert not reply.ok and "alleen beheerders en coördinatoren" in text_of(reply)
    assert bot.session.scalars(select(AgendaItem).where(AgendaItem.title == "Iets")).all() == []
    assert _audit(bot) == []


@pytest.mark.parametrize(("command", "expected"), [
    ("agenda", "Gebruik"),
    ("agenda twee toevoegen X", "is geen nummer"),
    ("agenda 42 toevoegen X", "Ik ken geen BOSD nummer 42"),
    ("agenda 2 toevoegen", "Gebruik"),
    ("agenda 2 schrappen X", "Gebruik"),
])
def test_it_answers_a_bad_agenda_command_and_adds_nothing(bot, command, expected):
    before = len(bot.session.scalars(select(AgendaItem)).all())
    reply = bot.ask(command)
    assert not reply.ok and expected in text_of(reply)
    assert len(bot.session.scalars(select(AgendaItem)).all()) == before


def test_it_shows_the_agenda_of_a_meeting(bot):
    assert "Programma's en projecten 2020" in text_of(bot.ask("agenda 1"))


def test_it_links_a_slack_user_to_a_person(bot):
    reply = bot.ask("koppel <@UNEW123|rik> Rik Scheele", user=CARLA)
    assert reply.ok and reply.changed
    assert "is nu gekoppeld aan Rik Scheele" in text_of(reply)
    bot.session.expire_all()
    assert bot.person("Rik Scheele").slack_user_id == "UNEW123"
    # Moving the link to someone else frees it from Rik.
    reply = bot.ask("koppel <@UNEW123> Corline Bijkerk", user=ADMIN)
    assert "Eerder was" in text_of(reply)
    bot.session.expire_all()
    assert bot.person("Rik Scheele").slack_user_id is None
    assert bot.person("Corline Bijkerk").slack_user_id == "UNEW123"
    assert [e.action for e in _audit(bot)] == ["person.link", "person.link"]
    assert "was al gekoppeld" in text_of(bot.ask("koppel <@UNEW123> Corline Bijkerk"))


@pytest.mark.parametrize(("command", "user", "expected"), [
    ("koppel <@UNEW123> Rik Scheele", ANKE, "alleen beheerders en coördinatoren"),
    ("koppel Rik Scheele", ADMIN, "Gebruik"),
    ("koppel <@UNEW123>", ADMIN, "Gebruik"),
    ("koppel <@UNEW123> Rikkert de Vries", ADMIN, "Ik ken geen persoon"),
])
def test_it_refuses_and_explains_a_bad_koppel_and_links_nobody(bot, command, user, expected):
    reply = bot.ask(command, user=user)
    assert not reply.ok and expected in text_of(reply)
    bot.session.expire_all()
    assert bot.person("Rik Scheele").slack_user_id is None
    assert _audit(bot) == []


def test_it_follows_and_unfollows_in_a_channel(bot):
    assert "volgt nog niets" in text_of(bot.ask("volgt"))
    assert bot.ask("volg bosd", user=CARLA).changed
    assert bot.ask("volg GTJ", user=CARLA).changed
    assert bot.ask("volg declaraties", user=CARLA).changed
    again = bot.ask("volg bosd", user=CARLA)
    assert again.ok and not again.changed and "al" in text_of(again)
    text = text_of(bot.ask("volgt"))
    assert "de BOSD" in text and "programma Gewoon Thuis Jeugd" in text
    assert "declaratiesignalen" in text
    assert bot.ask("ontvolg bosd", user=CARLA).changed
    assert "volgde de BOSD (agenda's) niet" in text_of(bot.ask("ontvolg bosd", user=CARLA))
    topics = sorted(s.topic for s in bot.session.scalars(select(Subscription)))
    assert topics == ["declaraties", "programme"]
    assert [e.action for e in _audit(bot)] == ["subscription.add"] * 3 + ["subscription.remove"]


@pytest.mark.parametrize(("command", "where", "user", "expected"), [
    ("volg bosd", None, ADMIN, "alleen in een Slack-kanaal"),
    ("volgt", None, ADMIN, "alleen in een Slack-kanaal"),
    ("volg bosd", "C0CHAN1", BOB, "Er is niets veranderd"),
    ("volg", "C0CHAN1", ADMIN, "Gebruik"),
    ("volg zwemmen", "C0CHAN1", ADMIN, "Ik ken geen programma"),
])
def test_it_refuses_to_follow_without_a_channel_a_right_or_a_topic(bot, command, where, user,
                                                                   expected):
    reply = bot.ask(command, user=user, channel=where)
    assert not reply.ok and expected in text_of(reply)
    assert bot.session.scalars(select(Subscription)).all() == []
