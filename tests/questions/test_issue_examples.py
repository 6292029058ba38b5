"""Every example the questions issue gave of a question answered wrong, answered right —
on the bundled Midden-Holland programme as `regiobot start` loads it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from commands.core import Context
from commands.dispatch import handle
from commands.render import to_text
from regiobot_cli.store import prepare_store
from storage.db import make_engine, make_sessionmaker
from storage.models import Person

ANKE = "U0ANKE01"


@pytest.fixture
def ask(store):
    prepare_store(store.url)
    engine = make_engine(store.url)
    session = make_sessionmaker(engine)()
    session.scalar(select(Person).where(Person.name == "Anke van der Landen")).slack_user_id = ANKE
    session.commit()

    def answer(text: str, *, user: str | None = None, today: date = date(2020, 3, 1)):
        ctx = Context(session=session, today=today, now=datetime(2020, 3, 1, 9, tzinfo=UTC),
                      user_id=user)
        reply = handle(text, ctx)
        session.rollback()
        return reply, to_text(reply)

    yield answer
    session.close()
    engine.dispose()


@pytest.mark.parametrize(("question", "expected", "absent"), [
    ("wanneer is de bosd in juni?", ["18 juni 2020"], ["12 maart"]),
    ("/regio bosd juni", ["18 juni 2020"], []),
    ("wanneer is de eerste BOSD?", ["30 januari 2020"], []),
    ("hoe vaak vergadert het BOSD", ["8 keer"], []),
    ("wat is de agenda van 16 april", ["BOSD 3", "16 april 2020"], ["Verkenning zorglandschap"]),
    ("wat doet het project inzicht in kosten?", ["Inzicht in kosten"], ["Bestaande budgetten"]),
    ("wanneer moet de wervingsactie pleegzorg af?", ["30 juni 2020"], []),
    ("wanneer wordt het zorg- en veiligheidshuis opgeleverd?", ["1 januari 2021"], []),
    ("wat gebeurt er in Q4?", ["K4"], []),
    ("hoeveel mijlpalen zijn er gereed?", ["0 mijlpalen"], []),
    ("wat kost gewoon thuis jeugd in 2020?", ["825.000"], []),
    ("welke projecten heeft Anke van der Landen?", ["Gewoon Thuis Jeugd"], []),
    ("wie zijn de partners van GTJ?", ["Enver", "Youz"], []),
    ("wie is verantwoordelijk voor veilig thuis", ["Irma Haxe"], []),
    ("wie trekt het programma inzicht in kosten?", ["Conny Kelly"], ["Anja Nobel"]),
    ("hoeveel moet gouda betalen van 100.000 euro?", ["€ 31.457,52"], []),
    ("hoeveel inwoners heeft gouda?", ["71.189"], []),
    ("wat is de verdeelsleutel?", ["Gouda", "Zuidplas", "226.302"], []),
    ("wat is het budget voor beschermd wonen?", ["19.000.000"], ["Jeugdigen beschermen"]),
    ("welke aanbieders declareren te laat?", ["%"], []),
    ("gewon thuis jeud", ["Gewoon Thuis Jeugd"], ["Bedoel je"]),
    ("/regio verdeel JBJR", ["5.063.585"], ["6.288.690"]),
    ("wat kost GHNT?", ["geen bedragen"], []),
])
def test_it_answers_the_issues_examples(ask, question, expected, absent):
    reply, text = ask(question)
    for fact in expected:
        assert fact in text, text
    for fact in absent:
        assert fact not in text, text


def test_it_reads_ik_as_the_asker_not_as_inzicht_in_kosten(ask):
    reply, text = ask("welke mijlpalen heb ik deze week?", user=ANKE, today=date(2020, 3, 30))
    assert "Gewoon Thuis Jeugd" in text and "Inzicht in kosten" not in text


def test_it_lists_what_is_due_this_week_and_what_runs_now(ask):
    _, week = ask("wat moet er deze week af?", today=date(2020, 3, 30))
    assert "Plan wachtlijstbeheer/verblijfscoördinatie gereed" in week
    _, now = ask("welke mijlpalen lopen er nu?", today=date(2020, 8, 1))
    assert "Start coördinatie verblijfszorg" in now


def test_it_answers_english_in_english(ask):
    _, text = ask("when is the next BOSD?")
    assert "The next BOSD is BOSD 2 on Thursday 12 March 2020" in text


def test_it_resolves_a_slack_mention_of_a_linked_user(ask):
    _, text = ask(f"/regio wie <@{ANKE}>")
    assert "Anke van der Landen" in text and "programmamanager" in text


def test_it_answers_small_talk_friendly_with_a_hint(ask):
    for greeting in ("hoi", "bedankt!"):
        reply, text = ask(greeting)
        assert reply.ok and "/regio help" in text and "begrijp ik niet" not in text
