"""declarations: the 301's Toewijzingsdatum on its event, so evaluation as of a day uses
the 301s known that day (issue 15)

Revision ID: 0007
Revises: 0005
Written by hand. Events stored before this have no Toewijzingsdatum; the rules then
order their 301s by Dagtekening, which is what a Toewijzingsdatum usually is.
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0005"
branch_labels = None
# The declarations tables come from 0004, a branch of its own off 0001.
depends_on = ("0004",)


def upgrade() -> None:
    with op.batch_alter_table("declaration_event") as batch:
        batch.add_column(sa.Column("assigned_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("declaration_event") as batch:
        batch.drop_column("assigned_on")
