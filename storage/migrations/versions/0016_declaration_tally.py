"""declarations: KPI and finding counts of the kept obligations as changes per day, so
that the overview and the weekly digest read a few thousand rows (issue 15 #2)

Revision ID: 0016
Revises: 0015
Written by hand. The derivation state is dropped, so the next refresh derives every
obligation again and fills the new table with them.
"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declaration_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider_agb", sa.String(8), nullable=False),
        sa.Column("measure", sa.String(12), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.UniqueConstraint("provider_agb", "measure", "month", "day"),
    )
    op.execute("DELETE FROM declaration_derivation")


def downgrade() -> None:
    op.drop_table("declaration_tally")
