"""`wie …` on a store of one region's worth of people against one of a hundred regions'
worth (issue 16 #7: the name lookup costs at ×100 what it costs at ×1); prints a table
and the ratios, measured in one run.

    .venv/bin/python -m bench.name_lookup [--repeat 30] [--factor 100]

Makes two fresh SQLite stores in a temporary folder with `bench.scale_data` (factor 1:
20 people; `--factor`: 100 × as many, the same generator, so the names have one shape)
and few events (the lookup reads none). Then answers, alternating between the stores,
`bot.answers.answer_reply` — what an answer worker does for a `/regio` command — for:
a person by full name, by a part of it (which a deelproject's number also matches), a
name with a digit left out (the fuzzy path, which looks at every name it may mean; it
names nobody, rightly) and a name nobody has. Medians of
`--repeat` answers after one warm-up each, CPU of this process.

Baseline: the same command on the ×1 store, in the same run — **is** the lookup with
few names; **is not** a store without people, nor the rendering of an answer alone.
Target: ×100 / ×1 close to 1 (≤ 1,5×).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from contextlib import redirect_stdout
from datetime import date
from io import StringIO
from pathlib import Path

from bench import scale_data
from bench.answer_cost import USER, ProfileOnly
from bot.answers import answer_reply
from regiobot import clock
from regiobot.settings import Settings
from storage.db import make_engine, make_sessionmaker

# Medewerker 00007 exists at both sizes (the ×1 store has 20 people).
QUESTIONS = (
    "wie Medewerker 00007",
    "wie 00007",
    "wie Medewerker 0007",
    "wie Jantje Onbekend",
)


def _store(folder: Path, factor: int) -> str:
    url = f"sqlite:///{folder / f'x{factor}.db'}"
    with redirect_stdout(StringIO()):
        scale_data.main(["--database", url, "--factor", str(factor), "--events", "200"])
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.name_lookup")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--factor", type=int, default=100)
    args = parser.parse_args(argv)
    clock.set_today(date(2020, 3, 2))
    folder = Path(tempfile.mkdtemp(prefix="regiobot-bench-names-"))
    try:
        stores = {}
        for factor in (1, args.factor):
            url = _store(folder, factor)
            stores[factor] = (Settings(database_url=url), make_sessionmaker(make_engine(url)))
        client = ProfileOnly()
        cpu: dict[tuple[str, int], list[float]] = {}
        replies: dict[tuple[str, int], str] = {}
        for text in QUESTIONS:
            for factor, (settings, factory) in stores.items():
                reply = answer_reply(settings, factory, text, user_id=USER,
                                     channel_id="C0BENCH", client=client)
                replies[text, factor] = str(reply)[:70]
            for _ in range(args.repeat):
                for factor, (settings, factory) in stores.items():
                    start = time.process_time()
                    answer_reply(settings, factory, text, user_id=USER, channel_id="C0BENCH",
                                 client=client)
                    cpu.setdefault((text, factor), []).append(
                        (time.process_time() - start) * 1000)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    big = args.factor
    print(f"CPU ms per answer, median of {args.repeat}; stores ×1 (20 people) and ×{big}")
    print(f"{'command':28} {'×1':>7} {f'×{big}':>7} {'ratio':>6}")
    ratios = []
    for text in QUESTIONS:
        small, large = (statistics.median(cpu[text, f]) for f in (1, big))
        ratios.append(large / small)
        print(f"{text:28} {small:7.2f} {large:7.2f} {large / small:5.2f}×")
    print(f"largest ratio ×{big} / ×1: {max(ratios):.2f}× (target ≤ 1,5×: "
          f"{'met' if max(ratios) <= 1.5 else 'MISSED'})")
    for text in QUESTIONS:
        print(f"  {text!r} at ×{big}: {replies[text, big]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
