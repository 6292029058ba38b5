"""`/regio …`: acknowledge at once, answer through the command's response_url.

The answer is computed in Bolt's listener executor, so the 3-second ack never
waits for the store or for Slack (see bot.app on process_before_response). Read answers are ephemeral;
a reply that is not ephemeral (the user asked to share) goes to the channel.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import handle_text, run_handler
from commands.render import to_message
from regiobot.settings import Settings

COMMAND = "/regio"
log = logging.getLogger(__name__)


def register(app: App, settings: Settings, factory: sessionmaker[Session]) -> None:
    # The answer goes to Bolt's listener executor directly rather than as a Bolt lazy
    # listener: Bolt deep-copies the whole request for every lazy listener in the
    # request's own thread, before the ack is returned — about three quarters of the
    # ack's cost (bench/slack_http.py, BENCHMARKS.md).
    executor = app.listener_runner.listener_executor

    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        executor.submit(answer_logged, body, respond)

    def answer_logged(body: dict[str, Any], respond: Respond) -> None:
        try:
            answer(body, respond)
        except Exception:
            log.exception("answering /regio failed")

    def answer(body: dict[str, Any], respond: Respond) -> None:
        reply = run_handler(
            settings,
            factory,
            handle_text((body.get("text") or "").strip()),
            user_id=body.get("user_id"),
            channel_id=body.get("channel_id"),
        )
        respond(
            **to_message(reply, lang=settings.regiobot_lang),
            response_type="ephemeral" if reply.ephemeral else "in_channel",
        )

    app.command(COMMAND)(acknowledge)
