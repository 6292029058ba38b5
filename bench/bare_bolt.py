"""The baselines for bench/slack_http.py: a bare Bolt app answering every /regio with a
constant, on the same server stack as `regiobot web` (uvicorn → Starlette → the same
Slack endpoint adapter → Bolt with its signature check).

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_BASE_URL=… \
        python -m bench.bare_bolt --port 3001 [--answer ack|respond]

`--answer ack` puts the constant in the ack itself: no answer is delivered afterwards.
`--answer respond` acks empty and posts the constant to the command's response_url
from a Bolt lazy listener, the framework's own way — the path regiobot's answers take,
so that a comparison with it measures regiobot's own work (queries, rendering), not
the cost of delivering an answer at all.
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from slack_bolt import App
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.routing import Route

from bot.asgi import SLACK_PATH, _slack_endpoint


def build(answer: str = "ack") -> Starlette:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"],
                       base_url=os.environ["SLACK_API_BASE_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              process_before_response=True)

    if answer == "ack":
        @app.command("/regio")
        def constant(ack):
            ack("ok")
    else:
        def acknowledge(ack):
            ack()

        def respond_constant(respond):
            respond(text="ok", response_type="ephemeral")

        app.command("/regio")(ack=acknowledge, lazy=[respond_constant])

    return Starlette(routes=[Route(SLACK_PATH, _slack_endpoint(app), methods=["POST"]),
                             Route("/healthz", lambda _r: _ok(), methods=["GET"])])


def _ok():
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answer", choices=("ack", "respond"), default="ack")
    args = parser.parse_args()
    uvicorn.run(build(args.answer), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
