"""The console REPL and `regiobot ask`, on a SQLite store imported from the bundled document."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.console import run_console
from regiobot.settings import Settings, reset_settings_cache
from regiobot_cli import main
from storage.db import make_engine, make_sessionmaker, transaction
from storage.importers.programme_document import import_programme_document
from storage.migrate import upgrade
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "storage" / "data" / "midden-holland-programma-sociaal-domein-2020.txt"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("console") / "regiobot.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        import_programme_document(session, DOCUMENT, now=NOW)
    engine.dispose()
    return url


@pytest.fixture
def factory(database):
    engine = make_engine(database)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def ask(database, monkeypatch, capsys):
    """Run `regiobot …` in-process against the test store; (exit code, stdout)."""
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.delenv("REGIOBOT_LANG", raising=False)
    monkeypatch.delenv("REGIOBOT_ADMINS", raising=False)
    # `--today` pins the clock through the environment: put it back afterwards.
    pinned = os.environ.pop("REGIOBOT_TODAY", None)

    def run(*argv: str) -> tuple[int, str]:
        reset_settings_cache()
        code = main(list(argv))
        reset_settings_cache()
        return code, capsys.readouterr().out

    yield run
    os.environ.pop("REGIOBOT_TODAY", None)
    if pinned is not None:
        os.environ["REGIOBOT_TODAY"] = pinned
    reset_settings_cache()


def _console(factory, lines: str, **settings) -> str:
    out = io.StringIO()
    run_console(factory, Settings(**settings), stdin=io.StringIO(lines), stdout=out)
    return out.getvalue()


def test_it_answers_typed_commands_and_questions_until_exit(factory, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-03-01")
    out = _console(factory, "/regio bosd\n\nwie is de programmamanager van gewoon thuis?\n"
                            "exit\n/regio help\n")
    assert "BOSD 2: 12 maart 2020" in out
    assert "Anke van der Landen" in out
    assert "wat kan ik" not in out  # nothing after exit


def test_it_ends_at_end_of_input_and_on_quit(factory):
    assert "Programma's Midden-Holland 2020" in _console(factory, "programma")
    assert _console(factory, "quit\nprogramma\n") == ""


def test_it_acts_as_the_console_user_who_is_an_admin(factory, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-03-01")
    out = _console(factory, "agenda 3 toevoegen Voortgang inzicht in kosten\nbosd 3\n",
                   regiobot_console_user="UCONSOLE1")
    assert "Agendapunt 1 toegevoegd aan BOSD 3" in out
    # No channel at the console: following is refused clearly.
    assert "alleen in een Slack-kanaal" in _console(factory, "volg bosd\n")


def test_it_shows_placeholders_as_typed_not_escaped(factory):
    out = _console(factory, "help\n")
    assert "<datum>" in out and "&lt;" not in out


def test_it_asks_when_the_next_bosd_is(ask):
    code, out = ask("--today", "2020-03-01", "ask", "wanneer is de volgende BOSD?")
    assert code == 0
    assert "12 maart 2020" in out


def test_it_accepts_today_after_ask(ask):
    code, out = ask("ask", "--today", "2020-04-01", "wanneer is de volgende BOSD?")
    assert code == 0
    assert "16 april 2020" in out


def test_it_asks_who_works_on_gewoon_thuis_jeugd(ask):
    code, out = ask("ask", "/regio wie gewoon thuis jeugd")
    assert code == 0
    for name in ("Anke van der Landen", "Corine Dijkstra", "Rik Scheele"):
        assert name in out


def test_it_splits_40000_from_the_command_line(ask):
    code, out = ask("ask", "/regio verdeel 40000")
    assert code == 0
    shares = [line.rsplit("€ ", 1)[1] for line in out.splitlines() if "%):" in line]
    assert len(shares) == 5
    assert sum(Decimal(s.replace(".", "").replace(",", ".")) for s in shares) == Decimal("40000")
    assert "€ 40.000,00" in out


def test_it_answers_in_english(ask):
    code, out = ask("ask", "--today", "2020-03-01", "--lang", "en", "when is the next BOSD?")
    assert code == 0
    assert "12 March 2020" in out


def test_it_exits_1_for_a_refusal_or_an_error(ask):
    code, out = ask("ask", "--as", "UNOBODY1", "/regio mijlpaal 1 gereed")
    assert code == 1
    assert "Dat mag je niet" in out
    code, out = ask("ask", "/regio verdeel veertig euro")
    assert code == 1
    code, out = ask("ask", "/regio programma qqqq")
    assert code == 1 and "Ik ken geen programma" in out


def test_it_runs_as_a_real_command(database):
    env = {**os.environ, "DATABASE_URL": database}
    env.pop("REGIOBOT_TODAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "regiobot", "ask", "--today", "2020-03-01",
         "wanneer is de volgende BOSD?"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "12 maart 2020" in result.stdout


def test_it_refuses_clearly_when_the_store_is_not_migrated(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    reset_settings_cache()
    try:
        assert main(["ask", "bosd"]) == 2
    finally:
        reset_settings_cache()
    assert "regiobot migrate" in capsys.readouterr().err


def test_it_shows_emoji_as_a_terminal_can(factory, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-03-01")
    out = _console(factory, "mijlpalen te laat\n")
    assert "⚠ te laat" in out and ":warning:" not in out
