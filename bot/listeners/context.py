"""One store session and one `Context` per Slack request.

Handlers may write (a milestone marked done, an audit entry) but do not commit: the
request owns the transaction, and commits here when the handler has answered. A
failure is answered by `commands.core.answer_safely` — rolled back, and a short apology
in the user's language rather than silence or a stack trace in Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.profiles import refresh_profile
from commands.core import Context, Reply, answer_safely, apology
from commands.i18n import t
from regiobot import clock
from regiobot.settings import Settings
from storage.linking import SlackProfile, language_of

if TYPE_CHECKING:
    from bot.answers import Answers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wiring:
    """What a listener needs besides Slack's request: the settings, the store and the
    answer workers (bot.answers). `bot.app` puts it in every request's Bolt context
    (`provide`), so listeners are plain functions that can be called with a dict."""

    settings: Settings
    factory: sessionmaker[Session]
    # The workers that answer commands, mentions and DMs.
    answers: Answers
    # Bolt's listener executor: small posts that must not wait in the request's thread.
    executor: Executor

    @property
    def lang(self) -> str:
        return self.settings.regiobot_lang

    def __deepcopy__(self, memo: dict[int, Any]) -> Wiring:
        # Bolt deep-copies the context for each lazy listener: the store, its pool and
        # the workers are shared, never copied.
        return self


WIRING = "regiobot"


def provide(wiring: Wiring) -> Callable[..., Any]:
    """A Bolt middleware that puts `wiring` in the request's context, for the listeners."""

    def with_wiring(context: dict[str, Any], next: Callable[[], Any]) -> Any:
        context[WIRING] = wiring
        return next()

    return with_wiring


def wiring_of(context: dict[str, Any]) -> Wiring:
    return context[WIRING]


def sorry(settings: Settings) -> str:
    """The apology for an answer that failed, in the user's language."""
    return apology(settings.regiobot_lang).summary


def too_busy(settings: Settings) -> str:
    """What a command gets when too many answers are waiting already."""
    return t("busy", settings.regiobot_lang)


def make_context(
    settings: Settings, session: Session, *, user_id: str | None, channel_id: str | None,
    profile: SlackProfile | None,
) -> Context:
    """The request's context; `profile` is the user's kept Slack profile (bot.profiles),
    read once by `run_handler`."""
    return Context(
        session=session,
        today=clock.today(),
        now=clock.now(),
        user_id=user_id,
        # The person's Slack locale when known (storage.linking), else REGIOBOT_LANG.
        lang=language_of(profile) or settings.regiobot_lang,
        admins=frozenset(settings.regiobot_admins),
        channel_id=channel_id,
        settings=settings,
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
    client: Any = None,
) -> Reply:
    """Run `handler` in a transaction of its own, committed when it has answered. With a
    Slack `client`, the user's profile is fetched first when none is kept or it is old
    (bot.profiles)."""
    try:
        with factory() as session:
            # Held for the whole answer: the session's identity map keeps the profile
            # only while it is referenced, and the language and the offer read it again.
            profile = refresh_profile(client, session, user_id=user_id) if user_id else None
            ctx = make_context(settings, session, user_id=user_id, channel_id=channel_id,
                               profile=profile)
            reply = answer_safely(handler, ctx, what=f"for user {user_id}, channel {channel_id}")
            session.commit()
            return reply
    except Exception:
        # The store itself failed (opening the session, reading the user's language,
        # committing): the same apology as for a failed handler.
        log.exception("request failed (user %s, channel %s)", user_id, channel_id)
        return apology(settings.regiobot_lang)
