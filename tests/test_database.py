import pytest
import sqlalchemy as sa

from tracker import migrate
from tracker.db import make_engine

pytestmark = pytest.mark.both_backends


def test_migrations_have_a_single_head():
    assert len(migrate.heads()) == 1


def test_migrated_schema_matches_the_models(engine):
    assert migrate.current_revision(engine) == migrate.heads()[0]
    assert migrate.pending_model_changes(engine) == []


def test_upgrade_is_a_no_op_when_already_at_head(engine):
    migrate.upgrade(engine)

    assert migrate.current_revision(engine) == migrate.heads()[0]


def test_foreign_keys_are_enforced(connection):
    with pytest.raises(sa.exc.IntegrityError):
        with connection.begin_nested():
            connection.execute(sa.text("INSERT INTO project_country (project_id, country_code) VALUES (999999, 'TH')"))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_runs_in_wal_mode(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_postgresql_urls_use_psycopg_3(postgres_cluster):
    engine = make_engine(postgres_cluster.url().replace("postgresql+psycopg", "postgresql"))

    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_migrations_downgrade_to_empty_and_back(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/roundtrip.sqlite")
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")

    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    migrate.upgrade(engine)
    assert migrate.pending_model_changes(engine) == []
    engine.dispose()
