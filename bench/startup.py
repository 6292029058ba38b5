"""Start-up of a one-shot command against importing the libraries it is built on;
prints a ratio measured in one run, the two alternating.

    .venv/bin/python -m bench.startup --database URL [--repeat 10]

Each repetition runs, as fresh processes one after the other:
- `regiobot ask "/regio help"` (the console answer of one command, as a person at a
  terminal types it), against the store at URL;
- the baseline: `python -c "import slack_bolt, slack_sdk, sqlalchemy, pydantic"` — the
  libraries regiobot stands on, imported and nothing else: no settings, no store, no
  answer. Python's own start-up is in both. `import sqlalchemy` and `import pydantic`
  load little of either (their ORM and models come on first use), so this is no
  measure of what an answer from the store needs;
- for information, `regiobot ask "/regio bosd volgende"`: a command that reads the
  store, so it loads its subcommand module, SQLAlchemy's ORM, the models and the
  driver, and connects. Help needs none of them (it answers from the subcommands'
  docstrings without importing their modules, and opens no store).
Target: the best `ask` ≤ 1.3× the best baseline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import slack_bolt, slack_sdk, sqlalchemy, pydantic"
READING = "/regio bosd volgende"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REGIOBOT_"))}
    env["DATABASE_URL"] = args.database
    ask = [sys.executable, "-m", "regiobot", "ask", "/regio help"]
    libraries = [sys.executable, "-c", BASELINE]
    needed = [sys.executable, "-m", "regiobot", "ask", "--today", "2020-03-01", READING]
    timed(ask, env), timed(libraries, env), timed(needed, env)  # warm the file cache
    asks, bases, needs = [], [], []
    for _ in range(args.repeat):
        asks.append(timed(ask, env))
        bases.append(timed(libraries, env))
        needs.append(timed(needed, env))
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"best of {args.repeat}, alternating; load average {load} (2 cores, shared)")
    print(f"regiobot ask \"/regio help\"                      best {min(asks) * 1000:6.0f} ms, "
          f"median {sorted(asks)[len(asks) // 2] * 1000:6.0f} ms")
    print(f"import slack_bolt, slack_sdk, sqlalchemy, pydantic best {min(bases) * 1000:6.0f} ms, "
          f"median {sorted(bases)[len(bases) // 2] * 1000:6.0f} ms")
    print(f"{'regiobot ask ' + repr(READING):<50} best {min(needs) * 1000:6.0f} ms, "
          f"median {sorted(needs)[len(needs) // 2] * 1000:6.0f} ms (for information)")
    print(f"ask help / ask a command that reads the store: {min(asks) / min(needs):.2f}× best")
    ratio = min(asks) / min(bases)
    print(f"ask / libraries: {ratio:.2f}× best, "
          f"{sorted(asks)[len(asks) // 2] / sorted(bases)[len(bases) // 2]:.2f}× median "
          f"(target ≤ 1.3×: {'met' if ratio <= 1.3 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
