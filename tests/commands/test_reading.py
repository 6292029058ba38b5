"""The read commands: normal answers and bad input, called directly with a context."""

from __future__ import annotations

from decimal import Decimal

from commands.core import Header
from tests.commands.support import text_of


def test_it_lists_the_programmes(bot):
    reply = bot.ask("programma")
    assert reply.ok and reply.ephemeral
    text = text_of(reply)
    assert "2. Gewoon Thuis Jeugd" in text
    assert "3. Jeugdigen beschermen" in text


def test_it_shows_one_programme_by_alias_and_with_a_typo(bot):
    for name in ("GTJ", "gewon thuis jeugd", "programma gewoon thuis"):
        reply = bot.ask(f"programma {name}")
        assert reply.ok, name
        assert isinstance(reply.parts[0], Header)
        assert "Gewoon Thuis Jeugd" in reply.parts[0].text
        assert "Experttafel" in text_of(reply)


def test_it_suggests_when_a_programme_name_is_ambiguous_or_unknown(bot):
    reply = bot.ask("programma jeugd")
    assert not reply.ok
    text = text_of(reply)
    assert "Bedoel je" in text
    assert "Gewoon Thuis Jeugd" in text and "Jeugdigen beschermen" in text

    reply = bot.ask("programma qwxz")
    assert not reply.ok
    assert "Ik ken geen programma “qwxz”" in text_of(reply)


def test_it_shows_a_project_with_its_milestones(bot):
    reply = bot.ask("project experttafel")
    assert reply.ok
    text = text_of(reply)
    assert "Deelproject van Gewoon Thuis Jeugd" in text
    assert "Evaluatie experttafel" in text


def test_it_asks_for_the_missing_project_name(bot):
    reply = bot.ask("project")
    assert not reply.ok
    assert "/regio project <naam>" in text_of(reply)


def test_it_says_who_works_on_a_programme_with_hours_and_partners(bot):
    reply = bot.ask("wie gewoon thuis jeugd")
    assert reply.ok
    text = text_of(reply)
    for name in ("Anke van der Landen", "Corine Dijkstra", "Rik Scheele", "Corline Bijkerk"):
        assert name in text
    assert "Programmamanager: Anke van der Landen — 16 uur" in text
    assert "Beleidsadviseurs/projectleiders: 64 uur" in text
    assert "Enver, Youz" in text


def test_it_names_the_one_role_asked_for(bot):
    reply = bot.ask("wie programmamanager JB")
    assert "Programmamanager van Jeugdigen beschermen: Manon Brugman" in text_of(reply)


def test_it_lists_all_roles_of_a_person(bot):
    reply = bot.ask("wie Corine Dijkstra")
    assert reply.ok
    text = text_of(reply)
    assert "Bestuurlijk — Gewoon Thuis Jeugd" in text
    assert "Bestuurlijk — Jeugdigen beschermen" in text


def test_it_says_not_found_for_a_person_removed_while_asking(bot, monkeypatch):
    # People are matched by name and loaded only when chosen: gone by then.
    monkeypatch.setattr("storage.queries.get_person", lambda session, *, person_id: None)
    reply = bot.ask("wie Corine Dijkstra")
    assert not reply.ok
    assert "Ik ken geen" in text_of(reply) and "Corine Dijkstra" in text_of(reply)


def test_it_answers_wie_without_a_name_and_with_an_unknown_one(bot):
    assert "Gebruik" in text_of(bot.ask("wie"))
    reply = bot.ask("wie Ank van der Land")
    assert reply.ok and "Anke van der Landen" in text_of(reply)
    reply = bot.ask("wie Zorro")
    assert not reply.ok and "Zorro" in text_of(reply)


def test_it_shows_budget_lines_as_written_with_totals(bot):
    reply = bot.ask("budget jeugdigen beschermen")
    assert reply.ok
    text = text_of(reply)
    assert "€ 239.500,- (+ € 55.000,- GHNT)" in text
    assert "2019-indexering 2020 nog niet meegenomen" in text
    assert "Totaal 2020: € 5.557.690,00" in text


def test_it_finds_a_programme_by_a_budget_line_label(bot):
    reply = bot.ask("budget JBJR")
    assert reply.ok
    assert "Jeugdigen beschermen" in reply.parts[0].text


def test_it_shows_the_whole_regions_budget(bot):
    text = text_of(bot.ask("budget"))
    assert "Regionaal budget: €40.000,-" in text
    assert "Alle programma's samen, 2020: € 6.382.690,00" in text


def _shares(text: str) -> list[Decimal]:
    amounts = []
    for line in text.splitlines():
        if "%):" in line:
            money = line.rsplit("€ ", 1)[1]
            amounts.append(Decimal(money.replace(".", "").replace(",", ".")))
    return amounts


def test_it_splits_40000_into_five_shares_that_add_up_exactly(bot):
    reply = bot.ask("verdeel 40000")
    assert reply.ok
    text = text_of(reply)
    shares = _shares(text)
    assert len(shares) == 5
    assert sum(shares) == Decimal("40000.00")
    assert "Gouda (31,5%): € 12.583,01" in text
    assert "Samen: € 40.000,00" in text


def test_it_accepts_amounts_as_people_write_them(bot):
    for written in ("€ 40.000,-", "40k", "€40.000,00"):
        assert sum(_shares(text_of(bot.ask(f"verdeel {written}")))) == Decimal("40000.00")
    shares = _shares(text_of(bot.ask("verdeel 1,5 miljoen")))
    assert sum(shares) == Decimal("1500000.00")
    # An amount that does not divide evenly still adds up to the cent.
    assert sum(_shares(text_of(bot.ask("verdeel 0,07")))) == Decimal("0.07")


def test_it_splits_a_programmes_budget(bot):
    reply = bot.ask("verdeel JBJR")
    assert reply.ok
    # JBJR is a budget line of Jeugdigen beschermen: that line is shared, not the programme.
    assert "Begrotingsregel JBJR (Jeugdigen beschermen, 2020)" in text_of(reply)
    assert sum(_shares(text_of(reply))) == Decimal("5063585.00")
    reply = bot.ask("verdeel jeugdigen beschermen")
    assert "Begroting Jeugdigen beschermen 2020" in text_of(reply)
    assert sum(_shares(text_of(reply))) == Decimal("5557690.00")


def test_it_explains_a_bad_amount(bot):
    for bad in ("12,345", "-40", "€ abc", "40 appels"):
        reply = bot.ask(f"verdeel {bad}")
        assert not reply.ok, bad
        assert "bedrag" in text_of(reply) or "Ik ken geen" in text_of(reply), bad
    assert "Gebruik" in text_of(bot.ask("verdeel"))


def test_it_shows_the_next_bosd_with_its_agenda(bot):
    reply = bot.ask("bosd")
    assert reply.ok
    text = text_of(reply)
    assert "BOSD 2: 12 maart 2020" in text
    assert "Donderdag 12 maart 2020, 10.00, Gouda" in text
    assert "Daarna: 16 april 2020" in text


def test_it_shows_a_bosd_by_number_and_by_date(bot):
    text = text_of(bot.ask("bosd 1"))
    assert "30 januari 2020" in text and "1. Programma's en projecten 2020" in text
    assert "BOSD 3: 16 april 2020" in text_of(bot.ask("bosd 16-4-2020"))


def test_it_answers_bad_bosd_arguments_clearly(bot):
    reply = bot.ask("bosd 9")
    assert not reply.ok and "Ik ken geen BOSD nummer 9" in text_of(reply)
    for command in ("agenda 2200000000 toevoegen Iets",):  # past PostgreSQL's INTEGER
        reply = bot.ask(command)
        assert not reply.ok and "Ik ken geen BOSD nummer 2200000000" in text_of(reply), command
    reply = bot.ask("bosd 13 maart")
    assert not reply.ok
    assert "De dichtstbijzijnde is BOSD 2 op 12 maart 2020" in text_of(reply)
    reply = bot.ask("bosd 31 februari")
    assert not reply.ok and "geen BOSD-nummer, datum" in text_of(reply)


def test_it_says_when_no_bosd_is_left(bot):
    bot.today = bot.today.replace(month=12)
    reply = bot.ask("bosd volgende")
    assert not reply.ok
    assert "Er staat geen BOSD meer gepland na 1 december 2020" in text_of(reply)


def test_it_answers_an_empty_store_without_failing(empty_bot):
    for text in ("programma", "budget", "verdeel 40000", "bosd", "wie anke", "mijlpalen"):
        reply = empty_bot.ask(text)
        assert reply.parts, text
        assert "Er ging iets mis" not in text_of(reply), text
