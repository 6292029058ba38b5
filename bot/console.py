"""The console: Regiobot without Slack (docs/architecture.md §7, like Errbot's text backend).

A person types `/regio …` or a question and reads the same answer Slack would show, as
plain text. They act as REGIOBOT_CONSOLE_USER (default "console"), which counts as an
admin here: whoever runs the console already holds the store, so refusing them would
only be in the way. There is no channel at the console, so `volg`/`ontvolg`/`volgt`
say they need one.
"""

from __future__ import annotations

import atexit
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from commands.core import Context, Lang, Reply
from commands.i18n import unescape
from commands.render import to_text
from regiobot import clock
from regiobot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from storage.on_first_use import StoreOnFirstUse

PROMPT = "regio> "
EXIT_WORDS = {"exit", "quit", "stop", "q", ":q"}
# Lines typed at the console, kept between sessions in the home folder.
HISTORY_NAME = ".regiobot_history"
HISTORY_LENGTH = 1000


def console_context(
    session: Session, settings: Settings, *, user_id: str | None = None,
    lang: Lang | None = None, channel_id: str | None = None,
) -> Context:
    """A Context for someone at a terminal (the console and `regiobot ask`)."""
    user = user_id or settings.regiobot_console_user
    admins = set(settings.regiobot_admins)
    if user == settings.regiobot_console_user:
        admins.add(user)
    return Context(
        session=session,
        today=clock.today(),
        now=clock.now(),
        user_id=user,
        lang=lang or settings.regiobot_lang,
        admins=frozenset(admins),
        channel_id=channel_id,
        console=True,
        settings=settings,
    )


def answer(factory: sessionmaker[Session] | StoreOnFirstUse, settings: Settings, text: str, *,
           user_id: str | None = None, lang: Lang | None = None) -> Reply:
    """One command or question, in a session of its own (with a `StoreOnFirstUse`, one
    that opens the store only if the answer reads it)."""
    from commands.dispatch import handle

    with factory() as session:
        ctx = console_context(cast("Session", session), settings, user_id=user_id, lang=lang)
        reply = handle(text, ctx)
        # The request owns the transaction; `handle` rolled back whatever failed.
        session.commit()
        return reply


# The few Slack emoji codes replies use, as a terminal shows them.
EMOJI = {":warning:": "⚠", ":white_check_mark:": "✔", ":no_entry:": "⛔"}


# Where the console writes a reply's files (charts); the answer prints their paths.
FILES_DIR = Path(tempfile.gettempdir()) / "regiobot-files"


def reply_text(reply: Reply, *, files_dir: Path | None = None) -> str:
    text = unescape(to_text(reply))
    for code, symbol in EMOJI.items():
        text = text.replace(code, symbol)
    # ~struck through~ (done milestones) has no terminal form; the status says it.
    text = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"\1", text)
    for attachment in reply.files:
        folder = files_dir or FILES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / attachment.filename
        path.write_bytes(attachment.render())
        text += f"\n{attachment.title}: {path}"
    return text


def _line_editing(history: Path) -> bool:
    """Turn on readline (arrow keys, Ctrl-R, history kept in `history`); False where
    Python has no readline (Windows without pyreadline)."""
    try:
        import readline  # only an interactive console wants it
    except ImportError:
        return False
    readline.set_history_length(HISTORY_LENGTH)
    try:
        readline.read_history_file(history)
    except OSError:
        pass  # the first session, or an unreadable file: start a new history

    def save() -> None:
        try:
            readline.write_history_file(history)
        except OSError:
            pass

    atexit.register(save)
    return True


def _read(stdin: TextIO, stdout: TextIO, *, editing: bool, interactive: bool) -> str | None:
    """The next line, or None at EOF (Ctrl-D)."""
    if editing:
        try:
            return input(PROMPT) + "\n"
        except EOFError:
            stdout.write("\n")
            return None
    if interactive:
        stdout.write(PROMPT)
        stdout.flush()
    return stdin.readline() or None


def run_console(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Read lines until exit/quit/EOF; answer each as plain text. At a terminal, lines
    are edited with readline and the history is kept between sessions."""
    interactive = hasattr(stdin, "isatty") and stdin.isatty()
    editing = (interactive and stdin is sys.stdin and stdout is sys.stdout
               and _line_editing(Path.home() / HISTORY_NAME))
    while True:
        line = _read(stdin, stdout, editing=editing, interactive=interactive)
        if line is None:  # EOF
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in EXIT_WORDS:
            break
        reply = answer(factory, settings, text)
        stdout.write(reply_text(reply) + "\n\n")
        stdout.flush()
