"""`handle`: subcommands, free questions in Dutch and English, sharing, help, failures."""

from __future__ import annotations

import pytest

from commands import registry
from commands.core import SUBCOMMANDS, Reply
from commands.dispatch import handle
from tests.commands.support import text_of


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("wie is de programmamanager van gewoon thuis?", "Anke van der Landen"),
        ("Wie is de programmamanager van Gewoon Thuis Jeugd?", "De programmamanager van Gewoon Thuis Jeugd is Anke van der Landen"),
        ("wanneer is de volgende BOSD?", "12 maart 2020"),
        ("wat is het budget van jeugdigen beschermen?", "€ 5.557.690,00"),
        ("welke mijlpalen zijn te laat?", "Onderzoek hoge instroom afronden"),
        ("wie zijn de opdrachtgevers van JB?", "Corine Dijkstra"),
        ("wat staat er op de agenda van bosd 1?", "Verkenning zorglandschap"),
        ("hoeveel betaalt elke gemeente van 40000?", "€ 12.583,01"),
        ("wie is Anke van der Landen?", "Programmamanager — Gewoon Thuis Jeugd"),
        ("GTJ", "Gewoon Thuis Jeugd"),
        ("who owns gewoon thuis", "Anke van der Landen"),
        ("when is the next BOSD?", "12 March 2020"),
        ("which milestones are late?", "Evaluatie experttafel"),
        ("what is the budget of JBJR", "€ 5.063.585"),
        ("/regio wie gewoon thuis jeugd", "Rik Scheele"),
        ("<@UBOT123> wanneer is de volgende bosd", "12 maart 2020"),
        ("wat kun je?", "Regiobot: wat kan ik?"),
    ],
)
def test_it_understands_questions(bot, question, expected):
    reply = bot.ask(question)
    assert reply.ok, text_of(reply)
    assert expected in text_of(reply)


def test_it_answers_in_english(bot):
    text = text_of(bot.ask("when is the next BOSD?", lang="en"))
    assert "The next BOSD is BOSD 2 on Thursday 12 March 2020" in text
    assert "Split of €40,000.00" in text_of(bot.ask("verdeel 40000", lang="en"))
    assert "I know no programme" in text_of(bot.ask("programma qwxz", lang="en"))
    assert "what can I do" in text_of(bot.ask("help", lang="en"))


def test_it_points_to_help_for_what_it_does_not_understand(bot):
    reply = bot.ask("hoe laat gaat de bus naar Utrecht")
    assert not reply.ok
    text = text_of(reply)
    # Utrecht is nothing the store knows: said so, with the way to what it does know.
    assert "Dat weet ik niet: “Utrecht” ken ik niet" in text and "/regio help" in text
    reply = bot.ask("qqq zzz blorp")
    assert not reply.ok and "Dat begrijp ik niet" in text_of(reply)


def test_it_shows_help_from_the_docstrings(bot):
    text = text_of(bot.ask(""))
    for name in ("programma", "project", "mijlpalen", "mijlpaal", "wie", "budget", "verdeel",
                 "bosd", "agenda", "koppel", "volg", "ontvolg", "volgt"):
        assert f"/regio {name}" in text, name
    assert "`deel`" in text
    one = text_of(bot.ask("help verdeel"))
    assert "1,5 miljoen" in one
    assert not bot.ask("help vliegen").ok


def test_it_answers_a_read_command_to_the_asker_alone(bot):
    assert bot.ask("bosd volgende").ephemeral is True


@pytest.mark.parametrize("command", ["bosd volgende deel", "/regio verdeel 40000 share"])
def test_it_shares_a_read_answer_when_asked(bot, command):
    shared = bot.ask(command)
    assert shared.ok and shared.ephemeral is False


def test_it_shares_the_same_answer_as_it_gives_privately(bot):
    assert "12 maart 2020" in text_of(bot.ask("bosd volgende deel"))


def test_it_keeps_a_refusal_private_even_when_deel_is_added(bot):
    assert bot.ask("programma qwxz deel").ephemeral is True


def test_it_never_raises_and_rolls_back_on_an_unexpected_error(bot, monkeypatch, caplog):
    def broken(args, ctx):
        raise RuntimeError("boom")

    entry = registry.find("bosd")
    assert entry is not None
    monkeypatch.setitem(SUBCOMMANDS, "bosd", type(entry)("bosd", broken))
    reply = bot.ask("bosd")
    assert isinstance(reply, Reply) and not reply.ok
    assert "Er ging iets mis" in text_of(reply)
    assert "boom" not in text_of(reply)
    assert "answering" in caplog.text


def test_it_does_not_hide_a_subcommand_module_that_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(registry.MODULE_OF_WORD, "bosd", "commands.no_such_module")
    with pytest.raises(ModuleNotFoundError):
        registry.find("bosd")


def test_it_handles_none_and_whitespace(bot):
    assert handle("   ", bot.ctx()).ok
    assert handle("/regio", bot.ctx()).ok


def test_it_keeps_deel_in_an_agenda_title(bot):
    reply = bot.ask("agenda 2 toevoegen Verdeling kosten tweede deel")
    assert reply.changed
    assert "Verdeling kosten tweede deel" in text_of(reply)


def test_it_finds_a_name_in_a_question_without_keywords(bot):
    reply = bot.ask("wat doet Manon Brugman?")
    assert reply.ok and "Programmamanager — Jeugdigen beschermen" in text_of(reply)


def test_it_reads_text_as_slack_escapes_it(bot):
    reply = bot.ask("programma qq&amp;rr")
    assert not reply.ok
    # Read back as typed, escaped once for Slack: never "&amp;amp;".
    assert "“qq&amp;rr”" in reply.summary
    assert "“qq&rr”" in text_of(reply)


def test_it_shows_but_never_changes_a_milestone_asked_about(bot):
    nr = bot.milestone("wachtlijst-k3").id
    reply = bot.ask(f"is mijlpaal {nr} al gereed?")
    assert reply.ok and not reply.changed
    assert "Start wachtlijstbeheer" in text_of(reply)
    bot.session.expire_all()
    assert bot.milestone("wachtlijst-k3").status == "open"
    assert "Wervingsactie" in text_of(bot.ask("wanneer is de deadline van pleegzorg?"))
