"""tests/fakeslack.py in a process of its own, for bench/slack_http.py: its server
threads then do not share the benchmark clients' interpreter (and GIL). Prints its
base URL on the first line, then serves until stdin closes; on exit prints how many
calls it answered.
"""

from __future__ import annotations

import sys

from tests.fakeslack import FakeSlack


def main() -> None:
    with FakeSlack() as slack:
        print(slack.url, flush=True)
        sys.stdin.read()
        print(len(slack.calls), flush=True)


if __name__ == "__main__":
    main()
