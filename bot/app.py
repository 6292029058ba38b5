"""Build the Bolt App and register the listener groups. Wiring only."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.answers import answers_for
from bot.listeners import actions, commands, events, retries
from bot.listeners.context import Wiring, provide
from regiobot.settings import Settings

log = logging.getLogger(__name__)

WEB_API_TIMEOUT_SECONDS = 10
# Answers computed at once; each holds a store connection while it works.
ANSWER_THREADS = 8

# The retry middleware comes first so that a retried event reaches no listener.
LISTENER_GROUPS = (retries, commands, events, actions)


class _QuietBolt(logging.Filter):
    """Keep secrets and noise out of Bolt's logs.

    Bolt logs the whole body of a request whose signature fails; that body carries
    Slack's verification token and a live response_url, so only the fact is kept. It
    also warns that SLACK_BOT_TOKEN is unused when a client is given, which is ours
    and holds that very token.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (body not logged)", ()
        return "`token` will be unused" not in message


_QUIET = _QuietBolt()


def _quiet_bolt_logs() -> None:
    for name in ("slack_bolt", "slack_bolt.RequestVerification"):
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


class SlackConfigError(ValueError):
    """Settings that cannot make a working Slack app."""


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        # Few, short retries (429 after Retry-After, 5xx, dropped connections): a person
        # is waiting for these answers.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(
    settings: Settings, factory: sessionmaker[Session], *, client: WebClient | None = None
) -> App:
    """The Bolt App for HTTP mode (signature checked) or Socket Mode (SLACK_APP_TOKEN).

    Construction calls auth.test, so a wrong token fails here, at start-up.
    """
    if not settings.slack_bot_token and client is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set")
    if not settings.slack_signing_secret and not settings.slack_app_token:
        # Without a secret every HTTP request would pass the signature check.
        raise SlackConfigError("SLACK_SIGNING_SECRET is needed in HTTP mode")
    _quiet_bolt_logs()
    app = App(
        client=client or make_client(settings),
        # Socket Mode requests are not signed; Bolt skips the check for them.
        signing_secret=settings.slack_signing_secret or "",
        # Every listener is a trivial ack plus lazy listeners that do the work. With
        # process_before_response the ack runs in the request's own thread, so it never
        # queues behind slow answers in the executor (which the two share otherwise),
        # and Slack gets its 200 within the 3 seconds however busy the bot is.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=ANSWER_THREADS, thread_name_prefix="regiobot-slack"
        ),
        logger=logging.getLogger("slack_bolt"),
    )
    # First of all middleware: the listeners find the settings and the store here.
    app.use(provide(Wiring(settings, factory, answers=answers_for(app, settings, factory),
                           executor=app.listener_runner.listener_executor)))
    for group in LISTENER_GROUPS:
        group.register(app)
    return app
