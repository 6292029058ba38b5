"""One notion of "responsible" (issue 12 point 1): the owner, else the project's
projectleider, else the programme's programmamanager — the same for the card, `mijn`,
the Home tab, reminders and the person's feed; owners set from Slack, checked, audited."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from commands.home import home
from storage import queries
from storage.feeds import feed_records
from storage.models import AuditEntry, Milestone
from storage.responsible import responsible_for
from tests.commands.support import ANKE, BOB, MANON, REGION, Bot, load_region, text_of

LEAD = "ULEAD01"


def _region() -> dict:
    data = copy.deepcopy(REGION)
    data["people"].append({"name": "Lotte Leider", "slack_user_id": LEAD})
    programme = data["regions"][0]["programmes"][0]
    programme["roles"].append({"kind": "projectleider", "label": "Projectleider",
                               "holder": "vacature", "project": "experttafel"})
    programme["roles"].append({"kind": "projectleider", "label": "Projectleider",
                               "holder": "Lotte Leider", "person": "Lotte Leider",
                               "project": "experttafel"})
    return data


@pytest.fixture
def bot(store):
    with store.session() as session:
        load_region(session, _region())
        yield Bot(session)


def _mine(bot, user) -> set[str]:
    person = queries.person_for_slack_user(bot.session, slack_user_id=user)
    return {m.key for m in queries.find_milestones(bot.session, own_for_person_id=person.id)}


def test_it_says_on_the_card_who_is_responsible_and_why(bot):
    card = text_of(bot.ask(f"mijlpaal {bot.milestone('wachtlijst-k3').id}"))
    assert "Verantwoordelijk Anke van der Landen (<@UANKE01>), programmamanager" in card
    # A project with a projectleider (the vacancy listed first does not count).
    card = text_of(bot.ask(f"mijlpaal {bot.milestone('evaluatie').id}"))
    assert "Lotte Leider (<@ULEAD01>), projectleider" in card
    assert "niet toegewezen" not in card


def test_it_gives_every_reader_the_same_people(bot):
    assert _mine(bot, ANKE) == {"ambulant-k1", "wachtlijst-k3", "werving-k2"}
    assert _mine(bot, LEAD) == {"evaluatie"}
    assert _mine(bot, MANON) == {"keten", "instroom"}
    everything = list(bot.session.scalars(select(Milestone)))
    who = responsible_for(bot.session, milestone_ids=[m.id for m in everything])
    for user in (ANKE, LEAD, MANON):
        person = queries.person_for_slack_user(bot.session, slack_user_id=user)
        by_map = {m.key for m in everything if who[m.id].person_id == person.id}
        assert by_map == _mine(bot, user)
        feed = feed_records(bot.session, scope="person", person_id=person.id)
        assert {m.key for m in feed.milestones} == by_map
    home_text = text_of(home(bot.ctx(LEAD)))
    assert "Evaluatie experttafel" in home_text and "Start wachtlijstbeheer" not in home_text


def test_it_sets_an_owner_from_slack_checked_and_audited(bot):
    nr = bot.milestone("wachtlijst-k3").id
    refused = bot.ask(f"mijlpaal {nr} eigenaar <@{MANON}|manon>", user=BOB)
    assert not refused.ok and "mag je niet" in text_of(refused)
    assert bot.milestone("wachtlijst-k3").owner_id is None
    reply = bot.ask(f"mijlpaal {nr} eigenaar <@{MANON}|manon>", user=ANKE)
    assert reply.ok and reply.changed
    assert "Manon Brugman als eigenaar" in text_of(reply)
    assert "Manon Brugman (<@UMANON1>), eigenaar" in text_of(reply)
    assert "wachtlijst-k3" in _mine(bot, MANON) and "wachtlijst-k3" not in _mine(bot, ANKE)
    audit = list(bot.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "milestone.owner")))
    assert [(a.actor, a.detail["new_owner"]) for a in audit] == [(ANKE, "Manon Brugman")]
    same = bot.ask(f"mijlpaal {nr} eigenaar Manon Brugman", user=ANKE)
    assert same.ok and not same.changed and "was al eigenaar" in text_of(same)
    cleared = bot.ask(f"mijlpaal {nr} eigenaar geen", user=ANKE)
    assert cleared.changed and "Anke van der Landen (<@UANKE01>), programmamanager" in text_of(cleared)
    assert "wachtlijst-k3" in _mine(bot, ANKE)


def test_it_refuses_an_owner_it_cannot_place_and_changes_nothing(bot):
    nr = bot.milestone("wachtlijst-k3").id
    version = bot.milestone("wachtlijst-k3").sequence
    unknown = bot.ask(f"mijlpaal {nr} eigenaar <@UNOBODY9>", user=ANKE)
    assert not unknown.ok and "aan niemand uit het programma gekoppeld" in text_of(unknown)
    assert not bot.ask(f"mijlpaal {nr} eigenaar Qwerty Uiop", user=ANKE).ok
    assert not bot.ask(f"mijlpaal {nr} eigenaar", user=ANKE).ok
    bot.session.expire_all()
    assert bot.milestone("wachtlijst-k3").owner_id is None
    assert bot.milestone("wachtlijst-k3").sequence == version
    assert not list(bot.session.scalars(select(AuditEntry)))
