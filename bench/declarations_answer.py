"""`/regio declaraties` answers at scale: the time from the command text to the reply the
user reads (the handler: parse, evaluate, build the reply and render it to Block Kit),
as of several days of 2020, per store.

    .venv/bin/python -m bench.declarations_answer --database sqlite:////tmp/decl_x100.db \
        --database postgresql://postgres@127.0.0.1:5432/regiobot_decl_x100 [--repeat 3]

For each store and each day (`--day`, default 1 March, 1 July and 31 December 2020) it
times, best of `--repeat`: `/regio declaraties` (every provider), `/regio declaraties
<provider>` and `/regio declaraties <provider> <month>` (the provider with the most
assignments, or each `--provider`; the month before the day), asked by an admin (who sees the findings with
assignment numbers: the most work). Target (issue 15): ≤ 200 ms each at ×100. The first
answer of a process (imports, mapper configuration) is left out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from commands.core import Context
from commands.dispatch import handle
from commands.render import to_message
from storage.db import make_engine, make_sessionmaker, normalise_url
from storage.declarations import Assignment, Provider

DAYS = (date(2020, 3, 1), date(2020, 7, 1), date(2020, 12, 31))


def _busiest(session) -> str:
    agb = session.execute(
        select(Assignment.provider_agb).group_by(Assignment.provider_agb)
        .order_by(func.count().desc()).limit(1)
    ).scalar_one()
    return session.scalar(select(Provider.name).where(Provider.agb_code == agb)) or agb


def _answer(factory, text: str, day: date) -> tuple[float, str]:
    """How long the answer took, and a hash of the message it renders (equal hashes:
    equal answers, whichever code or store gave them)."""
    start = time.perf_counter()
    with factory() as session:
        ctx = Context(session=session, today=day, now=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
                      user_id="UADMIN", admins=frozenset({"UADMIN"}))
        reply = handle(text, ctx)
        message = to_message(reply)
    elapsed = time.perf_counter() - start
    if not reply.ok:
        raise SystemExit(f"{text!r} as of {day}: {reply.summary}")
    rendered = json.dumps(message, sort_keys=True, default=str).encode()
    return elapsed, hashlib.sha256(rendered).hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.declarations_answer")
    parser.add_argument("--database", action="append", required=True, metavar="URL")
    parser.add_argument("--day", action="append", type=date.fromisoformat)
    parser.add_argument("--provider", action="append", metavar="NAME",
                        help="a provider to ask about (default: the one with the most assignments)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    days = args.day or list(DAYS)
    print(f"{'store':<12} {'as of':<10} {'command':<44} {'best':>9}  answer (target ≤ 200 ms)")
    worst = 0.0
    for url in args.database:
        engine = make_engine(normalise_url(url))
        factory = make_sessionmaker(engine)
        with factory() as session:
            providers = args.provider or [_busiest(session)]
        name = engine.dialect.name
        _answer(factory, "declaraties", days[0])  # warm-up: imports, mapper configuration
        for day in days:
            month = f"{day.replace(day=1) - timedelta(days=1):%Y-%m}"  # the month before
            asked = [f"declaraties {p}{suffix}" for p in providers for suffix in ("", f" {month}")]
            for text in ("declaraties", *asked):
                runs = [_answer(factory, text, day) for _ in range(args.repeat)]
                best = min(elapsed for elapsed, _ in runs)
                worst = max(worst, best)
                print(f"{name:<12} {day.isoformat():<10} {'/regio ' + text:<44} {best * 1000:>7.0f} ms"
                      f"  {runs[0][1]}")
        engine.dispose()
    print(f"slowest: {worst * 1000:.0f} ms ({'met' if worst <= 0.2 else 'MISSED'}: ≤ 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
