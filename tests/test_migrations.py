"""Every migration runs up and down on PostgreSQL and on SQLite, and head matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.migrate import downgrade, upgrade
from app.models import Base
from tests.support.scratch_db import scratch_database


def _round_trip(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_up_and_down_on_postgresql(migrated_database):
    _round_trip(scratch_database("migrations"))


def test_migrations_up_and_down_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'flexchain.sqlite3'}")
