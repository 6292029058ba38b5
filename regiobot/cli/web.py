"""`regiobot` subcommands of the web area (the ASGI app for Slack HTTP mode, feeds, /healthz)."""

from __future__ import annotations

import logging

from regiobot.settings import get_settings

from .common import open_store

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    parser = subparsers.add_parser(
        "web",
        help="serve Slack (HTTP mode, or Socket Mode with SLACK_APP_TOKEN), feeds and /healthz",
    )
    # Platforms route to the port they set in PORT; 0.0.0.0 lets their router reach it.
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT, 3000)")
    parser.set_defaults(func=run_web)


def run_web(args) -> int:
    import uvicorn

    from bot.asgi import create_app
    from bot.socket_mode import run_socket_mode

    settings = get_settings()
    factory = open_store()
    port = args.port or settings.port
    if settings.slack_bot_token and settings.slack_app_token:
        log.info("Slack in Socket Mode; /healthz and feeds on port %s", port)
        run_socket_mode(settings, factory, host=args.host, port=port)
        return 0
    if settings.slack_bot_token:
        log.info("Slack in HTTP mode at /slack/events on port %s", port)
    else:
        log.warning("no SLACK_BOT_TOKEN: serving only /healthz and feeds on port %s", port)
    uvicorn.run(create_app(settings, factory), host=args.host, port=port, log_level="info")
    return 0
