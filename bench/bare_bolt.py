"""The baselines for bench/slack_http.py: a bare Bolt app answering every /regio (and
every mention and DM) with a constant, on the same server stack as `regiobot web`
(uvicorn → Starlette → the same Slack endpoint adapter → Bolt with its signature
check).

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_BASE_URL=… \
        python -m bench.bare_bolt --port 3001 [--answer ack|floor]

`--answer ack` puts the constant in the ack itself: no answer is delivered afterwards
(events are acknowledged and not answered). It is the floor for the ack alone.
`--answer floor` posts the constant from the request's own thread before acking: to
the command's response_url (with Bolt's `respond`), or with `chat.postMessage` in the
mention's thread or the DM. Nothing can answer sooner on this stack, so it is the floor
for command → answer; its ack waits for the post, so it is no baseline for the ack.
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
from regiobot.settings import Settings


def build(answer: str = "ack") -> Starlette:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"],
                       base_url=os.environ["SLACK_API_BASE_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              process_before_response=True)

    if answer == "ack":
        @app.command("/regio")
        def constant(ack):
            ack("ok")

        @app.event("app_mention")
        @app.event("message")
        def nothing():
            pass
    else:
        @app.command("/regio")
        def respond_constant(ack, respond):
            respond(text="ok", response_type="ephemeral")
            ack()

        @app.event("app_mention")
        def mention_constant(event, client):
            client.chat_postMessage(channel=event["channel"],
                                    thread_ts=event.get("thread_ts") or event["ts"], text="ok")

        @app.event("message")
        def dm_constant(event, client):
            client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts"),
                                    text="ok")

    # The endpoint checks the signature with the settings' secret (from the environment).
    settings = Settings(_env_file=None)
    return Starlette(routes=[Route(SLACK_PATH, _slack_endpoint(app, settings), methods=["POST"]),
                             Route("/healthz", lambda _r: _ok(), methods=["GET"])])


def _ok():
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answer", choices=("ack", "floor"), default="ack")
    args = parser.parse_args()
    uvicorn.run(build(args.answer), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
