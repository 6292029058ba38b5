"""`regiobot` subcommands of the web area (the ASGI app for Slack HTTP mode, feeds, /healthz)."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
