"""`regiobot clock | simulate`: the scheduler area.

`regiobot clock` is the Procfile's clock process. `regiobot simulate --from --to`
steps a clock through a period and runs the real planner and sender against the
console, printing every post with its delivery key (`key=<key>`): a demo of the 2020
programme, and a way to check what would be posted when.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from regiobot.settings import get_settings

from .common import CommandError, open_store

# A channel that follows everything in a simulation on a fresh store (the programme
# document names no Slack channels).
DEMO_CHANNEL = "CDEMO0001"


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    clock = subparsers.add_parser(
        "clock",
        help="run the scheduler: reminders and BOSD agendas, posted once (Procfile clock:)",
    )
    clock.set_defaults(func=run_clock_command)

    simulate = subparsers.add_parser(
        "simulate",
        help="step a clock through a period and print the posts the scheduler would make",
        description=(
            "Runs the real planner and sender with a simulated clock against the console. "
            "Without --database it works on a fresh temporary store holding the bundled "
            f"2020 programme, with channel {DEMO_CHANNEL} following every programme and "
            "the BOSD; with --database it uses (and writes deliveries to) that store."
        ),
    )
    simulate.add_argument("--from", dest="start", type=date.fromisoformat, required=True,
                          metavar="DATE")
    simulate.add_argument("--to", dest="end", type=date.fromisoformat, required=True,
                          metavar="DATE")
    simulate.add_argument("--database", metavar="URL",
                          help="simulate on this store instead of a fresh one")
    simulate.add_argument("--hourly", action="store_true",
                          help="step every hour instead of at the posting times of each day")
    simulate.add_argument("--quiet", action="store_true",
                          help="print only one line per post (its key)")
    simulate.set_defaults(func=run_simulate)


def run_clock_command(args: argparse.Namespace) -> int:
    from scheduler.clock_process import run_clock  # only this command needs it

    settings = get_settings()
    run_clock(settings, open_store(settings.database_url))
    return 0


def _fresh_store() -> str:
    from regiobot_cli.store import BUNDLED_PROGRAMME, import_sources
    from storage.db import transaction
    from storage.migrate import upgrade
    from storage.queries import add_subscription

    folder = Path(tempfile.mkdtemp(prefix="regiobot-simulate-"))
    url = f"sqlite:///{folder / 'simulate.db'}"
    upgrade(url)
    factory = open_store(url)
    from regiobot import clock

    with transaction(factory) as session:
        import_sources(session, [str(BUNDLED_PROGRAMME)])
        for topic in ("programme", "bosd"):
            add_subscription(session, channel_id=DEMO_CHANNEL, topic=topic,
                             created_by=None, now=clock.utcnow())
    return url


def simulation_moments(start: date, end: date, *, times: list[time], hourly: bool):
    """The moments to step through, as aware UTC datetimes, in order."""
    from scheduler.planner import moment

    day = start
    while day <= end:
        if hourly:
            points = [time(hour, 0) for hour in range(24) if hour != 2]
        else:
            # At each posting time, and a few minutes later (so retries show too).
            points = sorted({t for base in times
                             for t in (base, _plus(base, 5), _plus(base, 30))})
        for point in points:
            yield moment(day, point)
        day += timedelta(days=1)


def _plus(at: time, minutes: int) -> time:
    full = datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)
    return full.time()


def run_simulate(args: argparse.Namespace) -> int:
    from scheduler.channels import ConsoleChannel
    from scheduler.planner import Schedule, run_planner
    from scheduler.sender import Sender

    if args.end < args.start:
        raise CommandError("--to is before --from")
    settings = get_settings()
    url = args.database or _fresh_store()
    factory = open_store(url)
    schedule = Schedule.from_settings(settings)
    channel = ConsoleChannel(sys.stdout, quiet=args.quiet)
    sender = Sender(factory, channel, schedule=schedule, worker="simulate",
                    lang=settings.regiobot_lang, admins=settings.regiobot_admins)
    posts = updates = 0
    for now in simulation_moments(args.start, args.end,
                                  times=[schedule.post_time, schedule.digest_time],
                                  hourly=args.hourly):
        channel.now = now
        run_planner(factory, now=now, schedule=schedule)
        report = sender.run(now=now)
        posts += len(report.sent)
        updates += len(report.updated)
    print(f"{posts} post(s), {updates} update(s) from {args.start} to {args.end}"
          + ("" if args.database else f" (store: {url})"))
    return 0

