"""The `regiobot` command, the top of the house: it may use every package, and none uses it.

Each area registers its own subcommands in a module here."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from datetime import date

from regiobot import clock
from regiobot.settings import reset_settings_cache

from .common import CommandError

# Each command's area module, in the order `regiobot --help` lists them. A command
# imports only its own area (and what that area needs): `regiobot ask` does not load
# alembic, the importers or the web server. `--help` and a mistyped command load all.
AREA_OF_COMMAND: dict[str, str] = {
    "migrate": "store", "import": "store", "export": "store", "start": "store",
    "ask": "bot", "console": "bot",
    "web": "web",
    "clock": "schedule", "simulate": "schedule",
    "calendar": "calendar",
    "declarations": "declarations", "demo-data": "declarations",
}
AREAS = tuple(dict.fromkeys(AREA_OF_COMMAND.values()))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--today",
        type=_day, metavar="DATE",
        help="run as if today were this date (YYYY-MM-DD); also REGIOBOT_TODAY",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser


def command_of(argv: list[str]) -> str | None:
    """The command `argv` names, read past the global options; None for none."""
    # Says nothing itself: on a malformed global option the full parser says what is
    # wrong, once.
    first = _global_options(argparse.ArgumentParser(add_help=False, exit_on_error=False))
    first.add_argument("command", nargs="?")
    try:
        known, _ = first.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):  # (SystemExit: what 3.11 still exits on)
        return None
    return known.command


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `regiobot` parser with `command`'s area, or with every area."""
    parser = _global_options(argparse.ArgumentParser(prog="regiobot", description=__doc__))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    area = AREA_OF_COMMAND.get(command or "")
    for name in (area,) if area else AREAS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    # `--today` also after the command and its action (`regiobot start --today
    # 2020-03-01`, as scripts/start passes its arguments on; `regiobot declarations
    # report --today …`); SUPPRESS keeps a value given earlier when absent.
    for command_parser in _parsers_below(subparsers):
        try:
            command_parser.add_argument(
                "--today", type=_day, default=argparse.SUPPRESS,
                metavar="DATE", help="run as if today were this date (YYYY-MM-DD)",
            )
        except argparse.ArgumentError:
            pass  # the command defines its own --today
    return parser


def _parsers_below(subparsers) -> list[argparse.ArgumentParser]:
    """The parsers of these subcommands and of their own subcommands, each once."""
    out: list[argparse.ArgumentParser] = []
    for parser in dict.fromkeys(subparsers.choices.values()):
        out.append(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                out.extend(_parsers_below(action))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_of(argv))
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
