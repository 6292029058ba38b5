"""Socket Mode: Slack's requests over a WebSocket the bot opens itself (SLACK_APP_TOKEN),
for networks without a public URL.

The web process still serves /healthz and the calendar feeds over HTTP: the Socket
Mode client runs in its own threads (`connect()` returns once connected and reconnects
by itself), uvicorn runs in the main thread and owns the signals, and when uvicorn
stops the socket is closed.
"""

from __future__ import annotations

import logging

import uvicorn
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.asgi import create_app
from regiobot.settings import Settings

log = logging.getLogger(__name__)


def connect_socket_mode(settings: Settings, factory: sessionmaker[Session]) -> SocketModeHandler:
    """Build the Bolt app and open its Socket Mode connection; the caller closes it."""
    if not settings.slack_app_token:
        raise ValueError("SLACK_APP_TOKEN is not set")
    handler = SocketModeHandler(build_app(settings, factory), app_token=settings.slack_app_token)
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    return handler


def run_socket_mode(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
) -> None:
    """Answer Slack over Socket Mode and serve /healthz and feeds until stopped."""
    handler = connect_socket_mode(settings, factory)
    try:
        uvicorn.run(
            create_app(settings, factory, slack_http=False),
            host=host,
            port=port or settings.port,
            log_level="info",
        )
    finally:
        handler.close()
