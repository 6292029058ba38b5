"""tests/fakeslack.py in a process of its own, for bench/slack_http.py: its server
threads then do not share the benchmark clients' interpreter (and GIL). Prints its
base URL on the first line, then reads commands from stdin until it closes:

    answers   prints one JSON line {response_url path: epoch seconds received}

On exit it prints how many calls it answered.
"""

from __future__ import annotations

import json
import sys

from tests.fakeslack import RESPONSE_URL_METHOD, FakeSlack


def main() -> None:
    with FakeSlack() as slack:
        print(slack.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "answers":
                answers = {c.path: c.received for c in slack.calls
                           if c.method == RESPONSE_URL_METHOD}
                print(json.dumps(answers), flush=True)
        print(len(slack.calls), flush=True)


if __name__ == "__main__":
    main()
