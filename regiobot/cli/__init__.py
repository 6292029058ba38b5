"""The `regiobot` command. Each area registers its own subcommands in a module here."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from regiobot import clock
from regiobot.settings import reset_settings_cache

from . import bot as bot_cli
from . import calendar as calendar_cli
from . import declarations as declarations_cli
from . import schedule as schedule_cli
from . import store as store_cli
from . import web as web_cli
from .common import CommandError

AREAS = (store_cli, bot_cli, web_cli, schedule_cli, calendar_cli, declarations_cli)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regiobot", description=__doc__)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        help="run as if today were this date (YYYY-MM-DD); also REGIOBOT_TODAY",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(subparsers)
    # `--today` also after the command (`regiobot start --today 2020-03-01`, as
    # scripts/start passes its arguments on); SUPPRESS keeps a global value when absent.
    for command in set(subparsers.choices.values()):
        try:
            command.add_argument(
                "--today", type=date.fromisoformat, default=argparse.SUPPRESS,
                metavar="DATE", help="run as if today were this date (YYYY-MM-DD)",
            )
        except argparse.ArgumentError:
            pass  # the command defines its own --today
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Migrations and job runs are routine; say them only when asked to.
        for routine in ("alembic", "apscheduler"):
            logging.getLogger(routine).setLevel(logging.WARNING)
    if args.today is not None:
        clock.set_today(args.today)
    reset_settings_cache()
    try:
        return int(args.func(args) or 0)
    except CommandError as error:
        print(f"regiobot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
