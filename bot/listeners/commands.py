"""`/regio …`: acknowledge at once, answer through the command's response_url.

The answer is computed by a lazy listener in Bolt's executor, so the 3-second ack never
waits for the store or for Slack (see bot.app on process_before_response). Read answers are ephemeral;
a reply that is not ephemeral (the user asked to share) goes to the channel.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import handle_text, run_handler
from commands.render import to_message
from regiobot.settings import Settings

COMMAND = "/regio"


def register(app: App, settings: Settings, factory: sessionmaker[Session]) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

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

    app.command(COMMAND)(ack=acknowledge, lazy=[answer])
