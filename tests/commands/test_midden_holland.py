"""The handlers on the real Midden-Holland 2020 programme, imported from the bundled document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from commands.home import home
from storage.importers.programme_document import import_programme_document
from storage.models import Milestone
from tests.commands.support import NOW, Bot, text_of

DOCUMENT = (Path(__file__).resolve().parents[2] / "storage" / "data"
            / "midden-holland-programma-sociaal-domein-2020.txt")


@pytest.fixture
def mh(store):
    with store.session() as session:
        import_programme_document(session, DOCUMENT, now=NOW)
        session.commit()
        yield Bot(session)


def test_it_names_the_next_bosd_on_12_march_2020(mh):
    reply = mh.ask("wanneer is de volgende BOSD?")
    assert reply.ok
    assert "12 maart 2020" in text_of(reply)
    assert "12 maart 2020" in reply.summary


def test_it_names_the_gewoon_thuis_jeugd_team(mh):
    text = text_of(mh.ask("/regio wie gewoon thuis jeugd"))
    for name in ("Anke van der Landen", "Corine Dijkstra", "Rik Scheele"):
        assert name in text


def test_it_splits_40000_over_the_five_municipalities(mh):
    text = text_of(mh.ask("/regio verdeel 40000"))
    lines = [line for line in text.splitlines() if "%):" in line]
    assert len(lines) == 5
    total = sum(Decimal(x.rsplit("€ ", 1)[1].replace(".", "").replace(",", ".")) for x in lines)
    assert total == Decimal("40000.00")
    assert "Samen: € 40.000,00" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wie is de programmamanager van gewoon thuis?", "Anke van der Landen"),
        ("wat is het budget van jeugdigen beschermen?", "€ 5.063.585"),
        ("budget JBJR", "Jeugdigen beschermen"),
        ("programma GHNT", "Geweld Hoort Nergens Thuis"),
        ("programma SGGZ", "volumebeheersing jeugd SGGZ"),
        ("programma MZ", "Maatschappelijke zorg"),
        ("welke mijlpalen zijn te laat?", "BOSD voortgangsrapportage"),
        ("mijlpalen K2", "Start coördinatie verblijfszorg"),
        ("bosd 1", "Verkenning zorglandschap"),
        ("wie Conny Kelly", "Inzicht in kosten"),
        ("project experttafel", "Evaluatie en doorontwikkeling experttafel"),
        ("who owns GHNT", "Geweld Hoort Nergens Thuis"),
    ],
)
def test_it_answers_about_the_real_programme(mh, text, expected):
    reply = mh.ask(text)
    assert reply.ok, text_of(reply)
    assert expected in text_of(reply)


def test_it_marks_a_real_milestone_done_for_its_programme_manager(mh):
    mh.ask("koppel <@UANKE01> Anke van der Landen")
    milestone = mh.session.scalar(
        select(Milestone).where(Milestone.title.startswith("Start wachtlijstbeheer")))
    assert not mh.ask(f"mijlpaal {milestone.id} gereed", user="UOTHER1").ok
    reply = mh.ask(f"mijlpaal {milestone.id} gereed", user="UANKE01")
    assert reply.changed
    line = [x for x in text_of(home(mh.ctx("UANKE01"))).splitlines()
            if "Start wachtlijstbeheer" in x][0]
    assert "gereed" in line


def test_it_answers_in_english(mh):
    text = text_of(mh.ask("when is the next BOSD?", lang="en"))
    assert "12 March 2020" in text


def test_it_keeps_long_real_answers_within_slacks_limits(mh):
    from commands.render import to_home_view, to_message

    mh.ask("koppel <@UANKE01> Anke van der Landen")
    for text in ("mijlpalen", "budget", "programma", "help", "wie MZ", "programma GHNT",
                 "mijlpalen in 2020", "verdeel GHNT"):
        message = to_message(mh.ask(text))
        assert message["text"] and len(message["text"]) <= 4000
        assert 0 < len(message["blocks"]) <= 50, text
    assert len(to_home_view(home(mh.ctx("UANKE01")))["blocks"]) <= 100


def test_it_tells_apart_budget_lines_that_differ_only_in_their_year(mh):
    text = text_of(mh.ask("/regio budget rechtmatigheid en kwaliteit"))
    assert "(2020)" in text and "(2021)" in text
