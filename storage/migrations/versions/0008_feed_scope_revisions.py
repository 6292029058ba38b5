"""feed scope revisions and stored feed validators: a conditional feed request is
answered from the store, in any web process and after a restart, and a change
invalidates only the feeds it touches

Revision ID: 0008
Revises: 0005
Written by hand: triggers are not something autogenerate sees.

`feed_scope_revision` holds a random marker per feed scope, changed by triggers on
every write that touches it:
- `programme:<id>`: a milestone of that programme (before or after the write);
- `person:<id>`: a milestone that person owns (before or after);
- `body:<id>`: a meeting of that governing body, or an agenda item of one;
- `structure`: regions, programmes, projects, people, roles and governing bodies
  (names and roles every feed may show; rare writes, so all feeds but the region's
  are rebuilt after one), and a TRUNCATE of any feed table.
The region feed shows everything and keeps using the store-wide marker of 0005.

`feed_validator` keeps, per feed, the ETag, Last-Modified and expiry of the last build
and the revision it was built under (`storage.feeds.remember_validators`).

On PostgreSQL, row triggers note the scopes a transaction touches in a transaction-local
setting, and one deferred trigger writes them at commit in sorted order, after the
store-wide marker of 0005 (triggers fire in name order: bump_… before flush_…): every
committing writer takes the store-wide marker's row first, so writers never deadlock on
the scope rows. On SQLite (one writer at a time) row triggers write them at once.
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

STRUCTURE_TABLES = ("region", "programme", "project", "person", "role", "governing_body")
FEED_TABLES = (*STRUCTURE_TABLES, "milestone", "meeting", "agenda_item")

# The scopes a row touches, as SQL text expressions over OLD or NEW (SQLite).
_SQLITE_SCOPES = {
    "milestone": ("'programme:' || {row}.programme_id",
                  "CASE WHEN {row}.owner_id IS NOT NULL THEN 'person:' || {row}.owner_id END"),
    "meeting": ("'body:' || {row}.body_id",),
    "agenda_item": ("(SELECT 'body:' || body_id FROM meeting WHERE id = {row}.meeting_id)",),
}


def upgrade() -> None:
    op.create_table(
        "feed_scope_revision",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("marker", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_feed_scope_revision")),
    )
    op.create_table(
        "feed_validator",
        sa.Column("feed", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.String(length=400), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_feed_validator")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql() -> None:
    op.execute(
        """
        CREATE FUNCTION note_feed_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            scopes text[] := '{}';
            pending text;
            scope text;
            body integer;
        BEGIN
            IF TG_TABLE_NAME = 'milestone' THEN
                IF TG_OP <> 'INSERT' THEN
                    scopes := scopes || ('programme:' || OLD.programme_id);
                    IF OLD.owner_id IS NOT NULL THEN
                        scopes := scopes || ('person:' || OLD.owner_id);
                    END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    scopes := scopes || ('programme:' || NEW.programme_id);
                    IF NEW.owner_id IS NOT NULL THEN
                        scopes := scopes || ('person:' || NEW.owner_id);
                    END IF;
                END IF;
            ELSIF TG_TABLE_NAME = 'meeting' THEN
                IF TG_OP <> 'INSERT' THEN scopes := scopes || ('body:' || OLD.body_id); END IF;
                IF TG_OP <> 'DELETE' THEN scopes := scopes || ('body:' || NEW.body_id); END IF;
            ELSIF TG_TABLE_NAME = 'agenda_item' THEN
                IF TG_OP <> 'INSERT' THEN
                    SELECT body_id INTO body FROM meeting WHERE id = OLD.meeting_id;
                    IF body IS NOT NULL THEN scopes := scopes || ('body:' || body); END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    SELECT body_id INTO body FROM meeting WHERE id = NEW.meeting_id;
                    IF body IS NOT NULL THEN scopes := scopes || ('body:' || body); END IF;
                END IF;
            ELSE
                scopes := ARRAY['structure'];
            END IF;
            pending := coalesce(nullif(current_setting('regiobot.feed_scopes', true), ''), ',');
            FOREACH scope IN ARRAY scopes LOOP
                IF position(',' || scope || ',' IN pending) = 0 THEN
                    pending := pending || scope || ',';
                END IF;
            END LOOP;
            PERFORM set_config('regiobot.feed_scopes', pending, true);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION flush_feed_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            pending text := nullif(current_setting('regiobot.feed_scopes', true), '');
        BEGIN
            IF pending IS NULL THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('regiobot.feed_scopes', '', true);
            INSERT INTO feed_scope_revision (scope, marker)
            SELECT scope, (random() * 9e18)::bigint
            FROM unnest(string_to_array(trim(both ',' FROM pending), ',')) AS scope
            ORDER BY scope
            ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION truncate_feed_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO feed_scope_revision (scope, marker)
            VALUES ('structure', (random() * 9e18)::bigint)
            ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;
            RETURN NULL;
        END
        $$
        """
    )
    for table in FEED_TABLES:
        op.execute(
            f"CREATE TRIGGER note_feed_scopes AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION note_feed_scopes()"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER flush_feed_scopes AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION flush_feed_scopes()"
        )
        op.execute(
            f"CREATE TRIGGER truncate_feed_scopes AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION truncate_feed_scopes()"
        )
    op.execute(
        "INSERT INTO feed_scope_revision (scope, marker) VALUES ('structure', (random() * 9e18)::bigint)"
    )


def _upsert_sqlite(expression: str) -> str:
    return (
        f"INSERT INTO feed_scope_revision (scope, marker) SELECT scope, random() FROM "
        f"(SELECT {expression} AS scope) WHERE scope IS NOT NULL "
        "ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;"
    )


def _upgrade_sqlite() -> None:
    for table in FEED_TABLES:
        expressions = _SQLITE_SCOPES.get(table, ("'structure'",))
        for change in ("INSERT", "UPDATE", "DELETE"):
            rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[change]
            statements = " ".join(
                _upsert_sqlite(expression.format(row=row))
                for row in rows for expression in expressions
            )
            op.execute(
                f"CREATE TRIGGER feed_scopes_{table}_{change.lower()} AFTER {change} ON {table} "
                f"BEGIN {statements} END"
            )
    op.execute("INSERT INTO feed_scope_revision (scope, marker) VALUES ('structure', random())")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FEED_TABLES:
            for trigger in ("note_feed_scopes", "flush_feed_scopes", "truncate_feed_scopes"):
                op.execute(f"DROP TRIGGER {trigger} ON {table}")
        for function in ("note_feed_scopes", "flush_feed_scopes", "truncate_feed_scopes"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for table in FEED_TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER feed_scopes_{table}_{change}")
    op.drop_table("feed_validator")
    op.drop_table("feed_scope_revision")
