"""What one answer costs in the answer worker: Python CPU, wall time and statements.

    .venv/bin/python -m bench.answer_cost --database URL [--today 2020-03-02] [--repeat 20]

Runs `bot.answers.answer_reply` — what an answer worker does for a `/regio` command,
before the POST to the response_url — in this process, for a mix of commands, as a
user who is not linked and whose Slack profile (given by a stand-in for users.info, once)
matches nobody: the most common asker, and the one the "Ben jij …?" offer looks at.
Medians of `--repeat` answers after one warm-up each. CPU is this process's
(`time.process_time`), so it holds under load better than the wall time; the
statements are those sent to the store (SQLAlchemy's `before_cursor_execute`).
Baseline: none — the figures are absolute, to compare commits on the same store.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import event

from bench.slack_http import COMMANDS
from bot.answers import answer_reply
from regiobot import clock
from regiobot.settings import Settings
from storage.db import make_engine, make_sessionmaker

# The commands of the HTTP benchmark, and a question in the team's own words.
MIX = (*COMMANDS, "wanneer is de volgende bosd?")
USER = "U0BENCH"


class ProfileOnly:
    """users.info as Slack answers it for someone the store does not know."""

    def users_info(self, user: str, include_locale: bool = True) -> dict:
        return {"user": {"id": user, "name": "iemand", "real_name": "Iemand Onbekend",
                         "locale": "nl-NL", "profile": {"display_name": "iemand"}}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer_cost")
    parser.add_argument("--database", metavar="URL", required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2020, 3, 2))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    clock.set_today(args.today)
    engine = make_engine(args.database)
    factory = make_sessionmaker(engine)
    settings = Settings(database_url=args.database)
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_: object) -> None:
        statements[0] += 1

    client = ProfileOnly()
    print(f"{'command':32} {'CPU ms':>7} {'wall ms':>8} {'statements':>10}")
    totals = []
    for text in MIX:
        answer_reply(settings, factory, text, user_id=USER, channel_id="C0BENCH", client=client)
        cpu, wall = [], []
        for _ in range(args.repeat):
            statements[0] = 0
            cpu0, wall0 = time.process_time(), time.perf_counter()
            answer_reply(settings, factory, text, user_id=USER, channel_id="C0BENCH",
                         client=client)
            cpu.append((time.process_time() - cpu0) * 1000)
            wall.append((time.perf_counter() - wall0) * 1000)
        totals.append(statistics.median(cpu))
        print(f"{text:32} {statistics.median(cpu):7.1f} {statistics.median(wall):8.1f} "
              f"{statements[0]:10d}")
    print(f"mean CPU of the mix: {statistics.mean(totals):.1f} ms an answer")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
