"""Milestone buttons (gereed / een week uitstellen) on reminders, answers and the Home tab.

A successful change replaces the card in place: chat.update for a normal message
(reminders are posted by the scheduler and may be older than a response_url lives),
the response_url for an ephemeral answer, a fresh Home tab for a click on the Home tab.
A refusal changes nothing and is told to the clicker alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners.context import run_handler
from bot.listeners.events import publish_home
from commands.core import Context, Reply
from commands.render import to_message
from regiobot.settings import Settings

DONE = "milestone_done"
SNOOZE = "milestone_snooze"

# A milestone id as our buttons write it: a positive decimal that fits the store's
# integer (64-bit); anything else (a 30-digit number, "-1", " 12", non-ASCII digits)
# cannot be one of ours.
_MILESTONE_ID = re.compile(r"[1-9][0-9]{0,17}")

_BAD_BUTTON = {
    "nl": "Deze knop hoort niet bij een bekende mijlpaal.",
    "en": "This button does not belong to a known milestone.",
}


def _milestone_action(name: str, milestone_id: int) -> Callable[[Context], Reply]:
    def run(ctx: Context) -> Reply:
        from commands import actions

        return getattr(actions, name)(milestone_id, ctx)

    return run


def register(app: App, settings: Settings, factory: sessionmaker[Session]) -> None:
    lang = settings.regiobot_lang

    def acknowledge(ack: Ack) -> None:
        ack()

    def click(body: dict[str, Any], action: dict[str, Any], client: WebClient,
              respond: Respond) -> None:
        user_id = body["user"]["id"]
        container = body.get("container") or {}
        channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id")
        value = action.get("value")
        if not isinstance(value, str) or not _MILESTONE_ID.fullmatch(value):
            reply = Reply.error(_BAD_BUTTON.get(lang, _BAD_BUTTON["nl"]))
        else:
            milestone_id = int(value)
            name = DONE if action["action_id"] == DONE else SNOOZE
            reply = run_handler(
                settings,
                factory,
                _milestone_action(name, milestone_id),
                user_id=user_id,
                channel_id=channel_id,
            )
        message = to_message(reply, lang=lang)

        if not reply.ok:
            tell_user(client, message, user_id=user_id, channel_id=channel_id)
        elif container.get("type") == "view":
            publish_home(client, settings, factory, user_id=user_id)
        elif _cards_in(body.get("message") or {}) > 1:
            # A digest lists several milestones: replacing it with one card would drop
            # the others from the channel, so the clicker alone sees the updated card.
            tell_user(client, message, user_id=user_id, channel_id=channel_id)
        elif channel_id and container.get("message_ts") and not container.get("is_ephemeral"):
            # Keep the message's metadata (the scheduler's delivery key) with the new card.
            metadata = (body.get("message") or {}).get("metadata")
            if metadata:
                message["metadata"] = metadata
            client.chat_update(channel=channel_id, ts=container["message_ts"], **message)
        elif body.get("response_url"):
            respond(**message, replace_original=True)
        else:
            tell_user(client, message, user_id=user_id, channel_id=channel_id)

    for action_id in (DONE, SNOOZE):
        app.action(action_id)(ack=acknowledge, lazy=[click])


def _cards_in(message: dict[str, Any]) -> int:
    """How many milestones a message carries buttons for."""
    return sum(
        1
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        and any(e.get("action_id") in (DONE, SNOOZE) for e in block.get("elements") or [])
    )


def tell_user(
    client: WebClient, message: dict[str, Any], *, user_id: str, channel_id: str | None
) -> None:
    """Show `message` to `user_id` alone: ephemeral in the channel, else in our DM."""
    if channel_id:
        client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
    else:
        client.chat_postMessage(channel=user_id, **message)
