"""declarations: derive the kept obligations again, now that a late "in onderzoek" still
owes OP274's final answer (issue 15)

Revision ID: 0019
Revises: 0018
Written by hand. A store derived before keeps, for such a request, only the late first
answer, and a refresh re-derives only the groups of new messages. So the derivation
state is dropped, as 0016 did: the refresh `regiobot migrate` runs after the migrations
derives every obligation again (at ×100, about two and a half minutes; it logs how far
it is).
"""
from alembic import op


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM declaration_derivation")


def downgrade() -> None:
    pass  # what is kept is right for 0018's code too
