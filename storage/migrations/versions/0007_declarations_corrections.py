"""declarations: the 301's Toewijzingsdatum on its event and the date of an assignment's
latest 301, so evaluation as of a day uses the 301s known that day (issue 15)

Revision ID: 0007
Revises: 0005
Written by hand. Events stored before this have no Toewijzingsdatum; the rules then
order their 301s by Dagtekening, which is what a Toewijzingsdatum usually is. An
assignment's last_message_date is filled in from its 301 events (NULL if it has none:
its row then stands for it).
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
    with op.batch_alter_table("declaration_assignment") as batch:
        batch.add_column(sa.Column("last_message_date", sa.Date(), nullable=True))
    op.execute(
        "UPDATE declaration_assignment SET last_message_date = ("
        " SELECT max(e.message_date) FROM declaration_event e"
        " WHERE e.message_type = '301'"
        " AND e.municipality_code = declaration_assignment.municipality_code"
        " AND e.toewijzing_nummer = declaration_assignment.toewijzing_nummer)"
    )


def downgrade() -> None:
    with op.batch_alter_table("declaration_assignment") as batch:
        batch.drop_column("last_message_date")
    with op.batch_alter_table("declaration_event") as batch:
        batch.drop_column("assigned_on")
