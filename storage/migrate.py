"""Alembic, configured in code so that `regiobot migrate` works from any directory.

Areas add their tables in migrations of their own; `heads` upgrades every branch.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import normalise_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would read "%" in a password as a reference.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)
    if revision == "heads":
        from storage.declarations.obligations import derive_after_migration
        from storage.search import ensure_built

        ensure_built(url)
        derive_after_migration(url)
