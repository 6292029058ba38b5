"""`regiobot` subcommands of the scheduler area."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
