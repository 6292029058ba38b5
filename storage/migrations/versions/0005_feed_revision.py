"""feed revision: a marker that changes with every write to a table the feeds read

Revision ID: 0005
Revises: 0001
Written by hand: triggers are not something autogenerate sees. A branch of its own off
0001, like 0002–0004.

The feed endpoint answers a conditional request with 304 when this marker is the one
it built the feed under (`storage.feeds.feed_revision`), without loading the feed's
records. Triggers rather than application code keep the marker honest for every
writer: the importer, Slack actions, the CLI and whatever comes later.

A store emptied by TRUNCATE has no row until its next write; feeds are then built on
every request. The marker is a random number, not a counter: a store emptied or rebuilt from an
export while a web process runs must not repeat a marker that process has seen.
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

# Every table `storage.feeds.feed_records` and the feed builder read.
FEED_TABLES = (
    "region",
    "programme",
    "project",
    "person",
    "role",
    "milestone",
    "governing_body",
    "meeting",
    "agenda_item",
)


def upgrade() -> None:
    op.create_table(
        "feed_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marker", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_revision")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Deferred to commit, and once per transaction: a writer locks the marker row
        # only while it commits, when it waits for no other lock. Bumped at the first
        # write instead, two writers each holding a row the other wants next would
        # deadlock on the marker (an import and a Slack action, say).
        op.execute(
            """
            CREATE FUNCTION bump_feed_revision() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('regiobot.feed_revision_bumped', true) = 'yes' THEN
                    RETURN NULL;
                END IF;
                PERFORM set_config('regiobot.feed_revision_bumped', 'yes', true);
                INSERT INTO feed_revision (id, marker)
                VALUES (1, (random() * 9e18)::bigint)
                ON CONFLICT (id) DO UPDATE SET marker = excluded.marker;
                RETURN NULL;
            END
            $$
            """
        )
        for table in FEED_TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER bump_feed_revision AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION bump_feed_revision()"
            )
            # TRUNCATE has no constraint triggers; it locks the whole table anyway.
            op.execute(
                f"CREATE TRIGGER bump_feed_revision_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_feed_revision()"
            )
        op.execute("INSERT INTO feed_revision (id, marker) VALUES (1, (random() * 9e18)::bigint)")
    else:
        # SQLite has row triggers only.
        for table in FEED_TABLES:
            for change in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER bump_feed_revision_{table}_{change.lower()} "
                    f"AFTER {change} ON {table} BEGIN "
                    "INSERT INTO feed_revision (id, marker) VALUES (1, random()) "
                    "ON CONFLICT (id) DO UPDATE SET marker = excluded.marker; END"
                )
        op.execute("INSERT INTO feed_revision (id, marker) VALUES (1, random())")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FEED_TABLES:
            op.execute(f"DROP TRIGGER bump_feed_revision ON {table}")
            op.execute(f"DROP TRIGGER bump_feed_revision_truncate ON {table}")
        op.execute("DROP FUNCTION bump_feed_revision()")
    else:
        for table in FEED_TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER bump_feed_revision_{table}_{change}")
    op.drop_table("feed_revision")
