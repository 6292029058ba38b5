"""The baseline for bench/slack_http.py: a bare Bolt app that acks every /regio with a
constant, on the same server stack as `regiobot web` (uvicorn → Starlette → the same
Slack endpoint adapter → Bolt with its signature check).

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_BASE_URL=… \
        python -m bench.bare_bolt --port 3001
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


def build() -> Starlette:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"],
                       base_url=os.environ["SLACK_API_BASE_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              process_before_response=True)

    @app.command("/regio")
    def constant(ack):
        ack("ok")

    return Starlette(routes=[Route(SLACK_PATH, _slack_endpoint(app), methods=["POST"]),
                             Route("/healthz", lambda _r: _ok(), methods=["GET"])])


def _ok():
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
