"""`regiobot migrate | import | export | start`."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
