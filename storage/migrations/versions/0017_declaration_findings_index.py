"""declarations: a covering index for a provider's findings as of a day, so that
counting them and picking the most overdue read the index alone (issue 15 #2); partial:
only obligations that can be findings (unmet, met late, or a check)

Revision ID: 0017
Revises: 0016
Written by hand.
"""
from alembic import op
import sqlalchemy as sa

# As storage.declarations.models.MAY_BE_LATE has it (the query repeats it verbatim, so
# that SQLite sees the index applies).
MAY_BE_LATE = "(done IS NULL OR done > due OR rule = 'START_REPORTED_EARLY')"


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_declaration_obligation_findings", "declaration_obligation",
        ["provider_agb", "known_from", "known_until", "rule", "due", "done"],
        sqlite_where=sa.text(MAY_BE_LATE), postgresql_where=sa.text(MAY_BE_LATE),
    )


def downgrade() -> None:
    op.drop_index("ix_declaration_obligation_findings", "declaration_obligation")
