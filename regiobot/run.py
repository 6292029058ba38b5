"""What `regiobot start` runs once the store is ready: with Slack tokens the web app (or
Socket Mode) and the scheduler; without them the console, with the scheduler posting
to it — the same handlers either way."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session, sessionmaker

from regiobot.settings import Settings


def run_everything(settings: Settings, factory: sessionmaker[Session]) -> int:
    if not settings.slack_enabled:
        from bot.console import run_console

        print("No Slack tokens set: starting the console. Type /regio help, or 'exit'.")
        run_console(factory, settings, stdin=sys.stdin, stdout=sys.stdout)
        return 0
    raise SystemExit("Slack mode is not wired into `regiobot start` yet")
