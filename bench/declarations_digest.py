"""The weekly declarations digest at full scale: time and peak RSS of rendering it, each
store in a fresh subprocess.

    .venv/bin/python -m bench.declarations_digest --database sqlite:////tmp/rb_full.db \
        --database postgresql://postgres@127.0.0.1:5432/regiobot_bench [--repeat 2]

Renders what the sender renders for a channel following `declaraties` at the weekly
moment Monday 2 March 2020 09:00 (`commands.declaraties.weekly_digest` for the week up to
Sunday 1 March), optionally also at the end of the year (`--week-ending 2020-12-27`), and
reports the wall time, the process's VmHWM before and after, and a hash of the rendered
message (equal hashes: equal posts).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from datetime import date

from storage.db import normalise_url


def _vm_hwm_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(url: str, week_ending: str) -> None:
    from commands.declaraties import weekly_digest
    from commands.render import to_message
    from storage.db import make_engine, make_sessionmaker

    factory = make_sessionmaker(make_engine(url))
    before = _vm_hwm_mib()
    started = time.perf_counter()
    with factory() as session:
        reply = weekly_digest(session, week_ending=date.fromisoformat(week_ending), lang="nl")
    elapsed = time.perf_counter() - started
    message = json.dumps(to_message(reply, lang="nl"), sort_keys=True, ensure_ascii=False)
    print(json.dumps({
        "seconds": elapsed,
        "hwm_before": before,
        "hwm_after": _vm_hwm_mib(),
        "sha": hashlib.sha256(message.encode()).hexdigest()[:12],
    }))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", required=True, help="a store (repeatable)")
    parser.add_argument("--week-ending", action="append", default=None,
                        help="the digest's last day (default 2020-03-01; repeatable)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    print(f"{'store':<58} {'week to':<10} {'best s':>7} {'RSS before':>11} {'peak RSS':>9}  digest")
    for url in args.database:
        url = normalise_url(url)
        for week_ending in args.week_ending or ["2020-03-01"]:
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, "-m", "bench.declarations_digest", "--database", url,
                     "--child", url, week_ending],
                    check=True, capture_output=True, text=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            best = min(runs, key=lambda r: r["seconds"])
            peak = max(r["hwm_after"] for r in runs)
            print(f"{url:<58} {week_ending:<10} {best['seconds']:>7.2f} {best['hwm_before']:>7.0f} MiB "
                  f"{peak:>5.0f} MiB  {best['sha']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
