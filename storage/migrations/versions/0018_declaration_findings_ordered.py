"""declarations: findings as of a day read in order of how overdue they are, and
counted per rule (issue 15 #2): a provider's answer reads about the rows it shows
instead of every row of the provider known on the day

Revision ID: 0018
Revises: 0017
Written by hand. `days_late` is filled here from `due` and `done`; the findings per
rule are counted by the next refresh (`regiobot migrate` does one) from the kept
obligations, without deriving them again (`findings_by_rule` false until then).
"""
from alembic import op
import sqlalchemy as sa

# As storage.declarations.models has them (the queries repeat them verbatim, so that
# SQLite sees the indexes apply).
UNMET = "(done IS NULL AND rule NOT IN ('LINES', 'START_REPORTED_EARLY'))"
MET_LATE = "(days_late IS NOT NULL)"
MAY_BE_LATE = "(done IS NULL OR done > due OR rule = 'START_REPORTED_EARLY')"


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("declaration_obligation", sa.Column("days_late", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        early, late = "due - done", "done - due"
    else:
        early = "CAST(julianday(due) - julianday(done) AS INTEGER)"
        late = "CAST(julianday(done) - julianday(due) AS INTEGER)"
    op.execute(
        "UPDATE declaration_obligation SET days_late = CASE"
        f" WHEN rule = 'START_REPORTED_EARLY' THEN CASE WHEN done < due THEN {early} END"
        f" WHEN rule <> 'LINES' AND done > due THEN {late} END"
        " WHERE done IS NOT NULL"
    )
    op.drop_index("ix_declaration_obligation_findings", "declaration_obligation")
    op.drop_index("ix_declaration_obligation_provider", "declaration_obligation")
    op.create_index("ix_declaration_obligation_unmet", "declaration_obligation",
                    ["provider_agb", "due", "known_from", "known_until"],
                    sqlite_where=sa.text(UNMET), postgresql_where=sa.text(UNMET))
    op.create_index("ix_declaration_obligation_met_late", "declaration_obligation",
                    ["provider_agb", "days_late", "due", "known_from", "known_until"],
                    sqlite_where=sa.text(MET_LATE), postgresql_where=sa.text(MET_LATE))
    op.create_table(
        "declaration_finding_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider_agb", sa.String(8), nullable=False),
        sa.Column("rule", sa.String(24), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.UniqueConstraint("provider_agb", "rule", "month", "day"),
    )
    op.add_column("declaration_derivation",
                  sa.Column("findings_by_rule", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("declaration_derivation") as batch:
        batch.drop_column("findings_by_rule")
    op.drop_table("declaration_finding_tally")
    op.drop_index("ix_declaration_obligation_met_late", "declaration_obligation")
    op.drop_index("ix_declaration_obligation_unmet", "declaration_obligation")
    op.create_index("ix_declaration_obligation_provider", "declaration_obligation",
                    ["provider_agb", "known_from"])
    op.create_index("ix_declaration_obligation_findings", "declaration_obligation",
                    ["provider_agb", "known_from", "known_until", "rule", "due", "done"],
                    sqlite_where=sa.text(MAY_BE_LATE), postgresql_where=sa.text(MAY_BE_LATE))
    with op.batch_alter_table("declaration_obligation") as batch:
        batch.drop_column("days_late")
