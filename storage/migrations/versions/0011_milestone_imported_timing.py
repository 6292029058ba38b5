"""milestone: the timing its source last gave it, so that a re-import can tell a move
made from Slack from a change in the document

Revision ID: 0011
Revises: 0005

`imported_due_date` / `imported_period_start` hold what the programme document said
when it was last imported. A re-import compares three values: the document's, these,
and the store's. The document unchanged → the store keeps what Slack made of it; the
document changed and the store not → the document's timing; both changed → a conflict
the import reports (and settles only when told to).

Existing rows start from their current timing, except a milestone moved or snoozed from
Slack before this migration: its source timing is the due date before the first such
move, as its audit entry says.
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("milestone") as batch:
        batch.add_column(sa.Column("imported_due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("imported_period_start", sa.Date(), nullable=True))
    milestone = sa.table(
        "milestone",
        sa.column("id", sa.Integer),
        sa.column("due_date", sa.Date),
        sa.column("period_start", sa.Date),
        sa.column("imported_due_date", sa.Date),
        sa.column("imported_period_start", sa.Date),
    )
    audit = sa.table(
        "audit_entry",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.Integer),
        sa.column("detail", sa.JSON),
    )
    bind = op.get_bind()
    bind.execute(milestone.update().values(
        imported_due_date=milestone.c.due_date, imported_period_start=milestone.c.period_start))
    moves = bind.execute(
        sa.select(audit.c.object_id, audit.c.detail)
        .where(audit.c.object_type == "milestone",
               audit.c.action.in_(("milestone.move", "milestone.snooze")))
        .order_by(audit.c.at, audit.c.id)
    ).all()
    first: dict[int, str] = {}
    for object_id, detail in moves:
        old = (detail or {}).get("old_due_date")
        if object_id is not None and old and object_id not in first:
            first[object_id] = old
    from datetime import date

    for object_id, old in first.items():
        try:
            when = date.fromisoformat(old)
        except ValueError:
            continue
        bind.execute(milestone.update().where(milestone.c.id == object_id)
                     .values(imported_due_date=when))


def downgrade() -> None:
    with op.batch_alter_table("milestone") as batch:
        batch.drop_column("imported_period_start")
        batch.drop_column("imported_due_date")
