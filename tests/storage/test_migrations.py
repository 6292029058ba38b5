from sqlalchemy import inspect

from storage.models import Base


def test_it_creates_every_table_the_models_declare(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
