"""PostgreSQL: the app's own role can read and append the audit trail, and nothing more; the owner migrates."""

import psycopg
import pytest
import sqlalchemy as sa

from tests.conftest import FAST_HASHING
from tests.factories import TEST_ACTOR
from tracker import create_app
from tracker.audit.services import record
from tracker.db import database
from tracker.db import make_engine
from tracker.portfolio.models import Fund

FORGERIES = {
    "update": "UPDATE audit_entry SET action = 'forged'",
    "delete": "DELETE FROM audit_entry",
    "truncate": "TRUNCATE audit_entry",
    "disable its triggers": "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
    "drop a trigger": "DROP TRIGGER audit_entry_no_update_or_delete ON audit_entry",
    "upsert": ("INSERT INTO audit_entry (id, at, actor_email, actor_role, action, object_type) "
               "SELECT id, at, 'forger', 'system', 'forged', 'user' FROM audit_entry "
               "ON CONFLICT (id) DO UPDATE SET action = 'forged'"),
    "rewrite the migration history": "UPDATE alembic_version SET version_num = 'forged'",
    "create a table": "CREATE TABLE shadow_audit (id integer)",
}


@pytest.fixture(scope="module")
def split_roles(postgres_cluster, tmp_path_factory):
    """A database owned by ``tracker_owner``, migrated by ``init-db`` as that owner, served as ``tracker_app``."""
    with psycopg.connect(postgres_cluster.admin_dsn(), autocommit=True) as admin:
        admin.execute("CREATE ROLE tracker_owner LOGIN")
        admin.execute("CREATE ROLE tracker_app LOGIN")
        admin.execute('CREATE DATABASE "split_roles" OWNER tracker_owner')
    port = postgres_cluster.port
    urls = {"DATABASE_URL": f"postgresql+psycopg://tracker_app@127.0.0.1:{port}/split_roles",
            "MIGRATION_DATABASE_URL": f"postgresql+psycopg://tracker_owner@127.0.0.1:{port}/split_roles"}
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path_factory.mktemp("roles")))
    app = create_app({**urls, "SECRET_KEY": "test", "TESTING": True, **FAST_HASHING})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    yield app, result.output
    database(app).engine.dispose()
    monkeypatch.undo()


def test_init_db_migrates_as_the_owner_and_says_what_the_app_role_may_do(split_roles):
    _app, output = split_roles

    assert "Role tracker_app may read and write the records, and only read and append the audit trail." in output


def test_the_app_role_reads_writes_records_and_appends_to_the_audit_trail(split_roles):
    app, _output = split_roles

    with database(app).new_session() as session:
        entry = record(session, TEST_ACTOR, "create", "user", 1)
        session.commit()
        assert session.get(type(entry), entry.id).action == "create"
        fund = Fund(slug="safe-online", name="Safe Online")
        session.add(fund)
        session.commit()
        fund.name = "Safe Online Fund"
        session.commit()
        assert session.scalar(sa.select(Fund.name).where(Fund.slug == "safe-online")) == "Safe Online Fund"


@pytest.mark.parametrize("forgery", FORGERIES)
def test_the_app_role_cannot_rewrite_the_audit_trail(split_roles, forgery):
    app, _output = split_roles
    with database(app).new_session() as session:
        record(session, TEST_ACTOR, "create", "user", 1)
        session.commit()

    with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner|must be the owner"):
        with database(app).engine.begin() as connection:
            connection.execute(sa.text(FORGERIES[forgery]))


def test_the_owner_role_owns_the_audit_trail_not_the_app(split_roles, postgres_cluster):
    engine = make_engine(postgres_cluster.url("split_roles"))
    try:
        with engine.connect() as connection:
            owner = connection.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entry'"))
            assert owner.scalar_one() == "tracker_owner"
    finally:
        engine.dispose()
