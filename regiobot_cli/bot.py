"""`regiobot ask` (one command or question, answered as plain text) and `regiobot console`."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from regiobot import clock
from regiobot.settings import get_settings, reset_settings_cache
from storage.on_first_use import StoreNotReady, StoreOnFirstUse

from .common import CommandError


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    ask = subparsers.add_parser(
        "ask",
        help="answer one /regio command or question as plain text, then exit",
        description=(
            "Answer one command or question the way the bot would in Slack, as plain text. "
            "Exit status 0 for an answer, 1 for a refusal or an error. "
            'Example: regiobot ask --today 2020-03-01 "wanneer is de volgende BOSD?"'
        ),
    )
    ask.add_argument("text", nargs="+", metavar="TEXT",
                     help='a command ("/regio bosd", "bosd") or a question')
    # Also accepted here (not only before `ask`), as people write it after the command.
    ask.add_argument("--today", dest="ask_today", type=date.fromisoformat, metavar="DATE",
                     help="answer as if today were this date (YYYY-MM-DD)")
    ask.add_argument("--as", dest="user", metavar="SLACK_USER_ID",
                     help="ask as this Slack user (default: REGIOBOT_CONSOLE_USER, an admin)")
    ask.add_argument("--lang", choices=("nl", "en"), help="reply language (default: REGIOBOT_LANG)")
    ask.set_defaults(func=run_ask)

    console = subparsers.add_parser(
        "console",
        help="type /regio commands and questions at a prompt (no Slack needed)",
        description="The console `regiobot start` opens without Slack tokens, on its own.",
    )
    console.set_defaults(func=run_console_command)


def run_ask(args: argparse.Namespace) -> int:
    from bot.console import answer, reply_text

    if args.ask_today is not None:
        clock.set_today(args.ask_today)
        reset_settings_cache()
    settings = get_settings()
    # Opened when the answer first reads it: `/regio help` needs no store at all.
    store = StoreOnFirstUse(settings.database_url)
    try:
        reply = answer(store, settings, " ".join(args.text), user_id=args.user, lang=args.lang)
    except StoreNotReady as error:
        raise CommandError(str(error)) from None
    finally:
        store.dispose()
    print(reply_text(reply))
    return 0 if reply.ok else 1


def run_console_command(args: argparse.Namespace) -> int:
    from bot.console import run_console

    settings = get_settings()
    try:
        factory = StoreOnFirstUse(settings.database_url).open()
    except StoreNotReady as error:
        raise CommandError(str(error)) from None
    run_console(factory, settings, stdin=sys.stdin, stdout=sys.stdout)
    return 0
