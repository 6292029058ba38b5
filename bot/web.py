"""The web process (`regiobot web`): Slack over HTTP or Socket Mode, feeds and /healthz.

`bot.asgi` builds the ASGI app and `bot.socket_mode` runs it beside a Socket Mode
connection; this module chooses between them, so neither of those imports the other's
caller.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from bot.asgi import SLACK_PATH, create_app
from regiobot.settings import Settings

log = logging.getLogger(__name__)


def serve_web(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
) -> None:
    """Run the web process until stopped (blocks; uvicorn wants the main thread for its
    signal handlers): Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode, and with
    no bot token only /healthz and feeds."""
    import uvicorn

    port = port or settings.port
    if settings.slack_bot_token and settings.slack_app_token:
        from bot.socket_mode import run_socket_mode

        log.info("Slack in Socket Mode; /healthz and feeds on port %s", port)
        run_socket_mode(settings, factory, host=host, port=port)
        return
    if settings.slack_bot_token:
        log.info("Slack in HTTP mode at %s on port %s", SLACK_PATH, port)
    else:
        log.warning("no SLACK_BOT_TOKEN: serving only /healthz and feeds on port %s", port)
    uvicorn.run(create_app(settings, factory), host=host, port=port, log_level="info")
