"""The console is a place to try everything (issue 12 point 10): line editing and
history, `koppel` with a plain name, `/regio ik ben <naam>`, and a help that lists every
subcommand."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time

import pytest
from sqlalchemy import select as sql_select

from bot.console import answer, run_console
from regiobot.settings import Settings
from storage.models import AuditEntry, Person
from tests import test_console

ROOT = test_console.ROOT
# The console tests' store (the bundled document, imported once for the module); each
# test here links different people, so none depends on another.
database = test_console.database
factory = test_console.factory

@pytest.fixture
def settings(monkeypatch) -> Settings:
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-03-01")
    return Settings()


def _say(factory, settings, text, **kw) -> str:
    from bot.console import reply_text

    return reply_text(answer(factory, settings, text, **kw))


def _linked(factory) -> dict[str, str | None]:
    with factory() as session:
        return {p.name: p.slack_user_id for p in session.scalars(sql_select(Person))}


def test_it_links_a_plain_console_name_as_the_readme_shows(factory, settings):
    out = _say(factory, settings, "/regio koppel @anke Anke van der Landen")
    assert "is nu gekoppeld aan Anke van der Landen" in out
    assert _linked(factory)["Anke van der Landen"] == "anke"
    mine = _say(factory, settings, "/regio mijlpalen mijn", user_id="anke")
    assert "Gewoon Thuis Jeugd" in mine and "Jeugdigen beschermen" not in mine


def test_it_lets_the_console_user_say_who_they_are(factory, settings):
    out = _say(factory, settings, "/regio ik ben Manon Brugman")
    assert "Je bent nu gekoppeld aan Manon Brugman" in out
    mine = _say(factory, settings, "/regio mijlpalen mijn")
    assert "Jeugdigen beschermen" in mine and "Gewoon Thuis Jeugd" not in mine
    card = _say(factory, settings, "/regio mijlpaal 30")
    assert "Verantwoordelijk" in card
    with factory() as session:
        actions = [a.action for a in session.scalars(sql_select(AuditEntry))]
    assert actions[-1] == "person.link_self"
    again = _say(factory, settings, "/regio ik ben Manon Brugman")
    assert "al gekoppeld" in again


def test_it_answers_an_unknown_or_ambiguous_name_and_links_nobody(factory, settings):
    before = _linked(factory)
    assert "Ik ken geen persoon" in _say(factory, settings, "/regio ik ben Qwerty Uiop")
    assert "Gebruik" in _say(factory, settings, "/regio ik ben")
    assert "Gebruik" in _say(factory, settings, "/regio koppel Anke van der Landen")
    assert _linked(factory) == before


def test_it_lists_every_subcommand_in_help(factory, settings):
    out = _say(factory, settings, "/regio help")
    for words in ("kalender", "intrekken", "ik ben", "eigenaar", "koppel", "volgt", "mijlpaal"):
        assert words in out, words


def _read_until(fd: int, wanted: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_it_edits_lines_and_recalls_history_with_readline(database, tmp_path):
    pytest.importorskip("readline")
    env = {**os.environ, "DATABASE_URL": database, "HOME": str(tmp_path),
           "REGIOBOT_TODAY": "2020-03-01", "TERM": "xterm"}
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "regiobot", "console"], cwd=ROOT,
                               env=env, stdin=child, stdout=child, stderr=child,
                               close_fds=True)
    os.close(child)
    try:
        assert b"regio> " in _read_until(main, b"regio> ")
        # Typed with a typo, fixed with the arrow keys: Left, Backspace, the right letter.
        os.write(main, b"/regio bosdx\x1b[D\x1b[3~\r")
        first = _read_until(main, b"regio> ")
        assert b"BOSD 2" in first
        # Up arrow: the line typed before comes back.
        os.write(main, b"\x1b[A\r")
        second = _read_until(main, b"regio> ")
        assert b"BOSD 2" in second
        os.write(main, b"exit\r")
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    history = (tmp_path / ".regiobot_history").read_text()
    assert "/regio bosd" in history and "/regio bosdx" not in history


def test_it_reads_piped_input_without_line_editing(factory, settings):
    out = io.StringIO()
    run_console(factory, settings, stdin=io.StringIO("/regio bosd\n"), stdout=out)
    assert "regio> " not in out.getvalue() and "BOSD 2" in out.getvalue()
