"""`regiobot` subcommands of the web area (the ASGI app for Slack HTTP mode, feeds, /healthz)."""

from __future__ import annotations

from regiobot.settings import get_settings

from .common import open_store


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
    from bot.web import serve_web

    serve_web(get_settings(), open_store(), host=args.host, port=args.port)
    return 0
