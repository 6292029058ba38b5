"""One store session and one `Context` per Slack request.

Handlers may write (a milestone marked done, an audit entry): their work commits when
the handler returns and rolls back when it raises. A failure becomes a short apology
in the user's language rather than silence or a stack trace in Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from commands.core import Context, Reply
from regiobot import clock
from regiobot.settings import Settings
from storage.linking import lang_of

log = logging.getLogger(__name__)

_SORRY = {
    "nl": "Er ging iets mis bij het beantwoorden. Probeer het later nog eens.",
    "en": "Something went wrong while answering. Please try again later.",
}


_BUSY = {
    "nl": "Regiobot heeft het even te druk om te antwoorden. Probeer het over een minuut nog eens.",
    "en": "Regiobot is too busy to answer right now. Please try again in a minute.",
}


def sorry(settings: Settings) -> str:
    """The apology for an answer that failed, in the user's language."""
    return _SORRY.get(settings.regiobot_lang, _SORRY["nl"])


def too_busy(settings: Settings) -> str:
    """What a command gets when too many answers are waiting already."""
    return _BUSY.get(settings.regiobot_lang, _BUSY["nl"])


def make_context(
    settings: Settings, session: Session, *, user_id: str | None, channel_id: str | None
) -> Context:
    return Context(
        session=session,
        today=clock.today(),
        now=clock.now(),
        user_id=user_id,
        # The person's Slack locale when known (storage.linking), else REGIOBOT_LANG.
        lang=lang_of(session, slack_user_id=user_id) or settings.regiobot_lang,
        admins=frozenset(settings.regiobot_admins),
        channel_id=channel_id,
    )


def handle_text(
    text: str, *, private: Callable[[Reply], bool] = lambda reply: reply.ephemeral
) -> Callable[[Context], Reply]:
    """A handler answering `text` (a subcommand or a question) with the command layer.
    An answer for the asker alone (`private`) also carries the "Ben jij …?" offer the
    first time a user not linked yet talks to the bot (commands.identity)."""

    def run(ctx: Context) -> Reply:
        # Imported on use: the command layer loads every subcommand module, and a
        # failure there should be an apology for one request, not a web process down.
        from commands.dispatch import handle
        from commands.identity import first_contact_offer

        reply = handle(text, ctx)
        if private(reply):
            offer = first_contact_offer(ctx)
            if offer:
                reply.parts = [*reply.parts, *offer]
        return reply

    return run


def run_handler(
    settings: Settings,
    factory: sessionmaker[Session],
    handler: Callable[[Context], Reply],
    *,
    user_id: str | None,
    channel_id: str | None,
) -> Reply:
    """Run `handler` in a transaction of its own; an exception answers with an apology."""
    try:
        with factory() as session:
            try:
                ctx = make_context(settings, session, user_id=user_id, channel_id=channel_id)
                reply = handler(ctx)
                session.commit()
                return reply
            except BaseException:
                session.rollback()
                raise
    except Exception:
        log.exception("handler failed (user %s, channel %s)", user_id, channel_id)
        return Reply.error(sorry(settings))
