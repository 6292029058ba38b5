"""tests/fakeslack.py in a process of its own, for bench/slack_http.py: its server
threads then do not share the benchmark clients' interpreter (and GIL). Prints its
base URL on the first line, then reads commands from stdin until it closes:

    answers   prints one JSON line {key: [epoch seconds received, said "te druk"]}
              for every answer so far: a response_url post keyed by its path, a
              chat.postMessage or chat.postEphemeral by its thread_ts, or by its
              channel when it has none (a DM)

On exit it prints how many calls it answered.
"""

from __future__ import annotations

import json
import socketserver
import sys

from tests.fakeslack import RESPONSE_URL_METHOD, Call, FakeSlack

POSTS = ("chat.postMessage", "chat.postEphemeral")
BUSY = "te druk"


def answer_key(call: Call) -> str | None:
    if call.method == RESPONSE_URL_METHOD:
        return call.path
    if call.method in POSTS:
        return call.args.get("thread_ts") or call.args.get("channel")
    return None


def main() -> None:
    # http.server writes a response's headers and body in two sends: with Nagle's
    # algorithm on a kept-alive connection the body then waits for the client's delayed
    # ACK (40 ms on Linux), which no real Slack server makes its clients wait.
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    with FakeSlack() as slack:
        print(slack.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "answers":
                answers = {}
                for call in slack.calls:
                    key = answer_key(call)
                    if key is not None and key not in answers:
                        answers[key] = [call.received, BUSY in str(call.args.get("text", ""))]
                print(json.dumps(answers), flush=True)
        print(len(slack.calls), flush=True)


if __name__ == "__main__":
    main()
