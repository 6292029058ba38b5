"""Mentions (answered in their thread), direct messages (in the DM) and the Home tab.

Events are acknowledged by Bolt itself. Mentions and DMs are answered by the web
process's answer workers (`bot.answers`), like `/regio` (a Bolt lazy listener would
deep-copy the request in the ack's thread and answer in the web process); the Home tab
is published from a lazy listener. Messages
from bots (ourselves included) and message subtypes (edits, joins, deletions) are
acknowledged and ignored, so Slack does not retry them and the bot never talks to itself.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.answers import busy_event_post, deliver
from bot.listeners.context import run_handler, wiring_of
from commands.core import Context, Reply
from commands.render import to_home_view
from regiobot.settings import Settings

log = logging.getLogger(__name__)

# A user mention as Slack writes it: <@U123> or <@U123|name>.
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question without the mentions of the bot that address it."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    return " ".join(text.split())


def shareable(reply: Reply) -> bool:
    """Whether an answer may be posted for the channel, by the rule of "/regio … deel":
    a read answer that went well. A reply that must stay private refuses to become
    non-ephemeral (commands' PrivateReply), so it is asked rather than guessed."""
    if not reply.ok or reply.changed:
        return False
    reply.ephemeral = False
    return not reply.ephemeral


def _from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype"))


def _answerable(event: dict[str, Any]) -> bool:
    """Whether the event says where and to whom to answer, as Slack's always do."""
    return all(isinstance(event.get(name), str) and event[name] for name in ("channel", "user", "ts"))


def nothing() -> None:
    """Bolt acknowledges events itself; the work is in the lazy listener."""


def _answer(event: dict[str, Any], client: WebClient, context: dict[str, Any],
            body: dict[str, Any]) -> None:
    wiring = wiring_of(context)
    if wiring.answers.busy():
        wiring.executor.submit(deliver, client, busy_event_post(wiring.settings, event))
        return
    # The event id is claimed by the worker, just before it answers
    # (bot.listeners.retries): a retry is then not answered twice.
    wiring.answers.submit_event(event, context.get("bot_user_id"), client,
                                event_id=body.get("event_id"))


def mention(event: dict[str, Any], client: WebClient, context: dict[str, Any],
            body: dict[str, Any]) -> None:
    """@Regiobot in a channel: answered in its thread by the answer workers."""
    # In a DM the same words also arrive as message.im; answer that one only.
    if _from_a_bot(event) or not _answerable(event) or event["channel"].startswith("D"):
        return
    _answer(event, client, context, body)


def direct_message(event: dict[str, Any], client: WebClient, context: dict[str, Any],
                   body: dict[str, Any]) -> None:
    """A message in our DM; every other message event is acknowledged and ignored."""
    if _from_a_bot(event) or event.get("channel_type") != "im" or not _answerable(event):
        return
    _answer(event, client, context, body)


def home_opened(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """The Home tab opened: the profile refreshed when old, then the tab published."""
    if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
        return
    wiring = wiring_of(context)
    publish_home(client, wiring.settings, wiring.factory, user_id=event["user"])


def register(app: App) -> None:
    # Handed to the answer workers in the request's thread; Bolt then acknowledges.
    app.event("app_mention")(mention)
    # Every message event is acknowledged here, subtypes too, so none is left unhandled.
    app.event("message")(direct_message)
    app.event("app_home_opened")(ack=nothing, lazy=[home_opened])


def publish_home(
    client: WebClient, settings: Settings, factory: sessionmaker[Session], *, user_id: str,
    show: str = "all",
) -> None:
    """Render `user_id`'s Home tab (their milestones as filtered by `show`, the next BOSD)
    — with their Slack profile fetched first when old — and publish it; the filter
    travels in the view's private_metadata."""
    def home(ctx: Context) -> Reply:
        from commands.home import home

        return home(ctx, show=show)

    reply = run_handler(settings, factory, home, user_id=user_id, channel_id=None,
                        client=client)
    view = to_home_view(reply, lang=settings.regiobot_lang)
    view["private_metadata"] = show
    client.views_publish(user_id=user_id, view=view)
