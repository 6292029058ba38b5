"""What `regiobot start` runs once the store is ready.

With Slack tokens: the scheduler in a background thread and the web process (HTTP
mode, or Socket Mode with SLACK_APP_TOKEN) in the foreground — the Procfile's `web`
and `clock` in one process, for development and small installs. Without them: the
console, with the scheduler posting its reminders and agendas to the same terminal.
Production runs `web` and `clock` as separate processes (Procfile).
"""

from __future__ import annotations

import logging
import sys

from sqlalchemy.orm import Session, sessionmaker

from bot.console import run_console
from bot.web import serve_web
from regiobot.settings import Settings
from scheduler.clock_process import start_background_scheduler


def run_everything(settings: Settings, factory: sessionmaker[Session]) -> int:
    scheduler = start_background_scheduler(settings, factory)
    try:
        if settings.slack_enabled:
            serve_web(settings, factory)
        else:
            # The terminal is the user's conversation now: only problems interrupt it.
            logging.getLogger().setLevel(logging.WARNING)
            print(
                "No Slack tokens set: this is the Regiobot console. Type /regio help, a "
                "question such as 'wanneer is de volgende BOSD?', or 'exit'.\n"
                "Scheduled reminders and agendas appear here too.",
                file=sys.stdout,
            )
            run_console(factory, settings, stdin=sys.stdin, stdout=sys.stdout)
    finally:
        scheduler.shutdown(wait=False)
    return 0
