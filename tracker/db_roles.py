"""PostgreSQL: the app connects as a role that owns nothing, so it cannot rewrite the audit trail.

Triggers refuse UPDATE, DELETE and TRUNCATE on ``audit_entry``, but a table's owner may disable its
triggers (``ALTER TABLE … DISABLE TRIGGER``), and an app that connects as the owner could. So the
schema belongs to a separate owner role, which runs the migrations (``MIGRATION_DATABASE_URL``),
and the app's role (``DATABASE_URL``) gets only what the app does: reading and writing the records,
but only reading and appending the audit trail and only reading Alembic's bookkeeping. Without
ownership it can neither alter a table nor disable a trigger.
"""

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("audit_entry",)
READ_ONLY_TABLES = ("alembic_version",)


def app_role_grants(role, schema="public"):
    """The statements that give ``role`` (already quoted) what the app needs in ``schema`` (already quoted)."""
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    statements += [f"REVOKE UPDATE, DELETE ON {table} FROM {role}" for table in APPEND_ONLY_TABLES]
    statements += [f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {role}" for table in READ_ONLY_TABLES]
    return statements


def grant_app_role(owner_engine, role):
    """As the schema's owner, give the app's ``role`` its privileges (safe to repeat after every migration)."""
    quote = owner_engine.dialect.identifier_preparer.quote
    with owner_engine.begin() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        for statement in app_role_grants(quote(role), quote(schema)):
            connection.execute(sa.text(statement))


def separate_roles(app_url, owner_url):
    """The app's role name when ``owner_url`` names another PostgreSQL role than ``app_url``; else None."""
    if not owner_url:
        return None
    app, owner = sa.make_url(app_url), sa.make_url(owner_url)
    if app.get_backend_name() != "postgresql" or app.username == owner.username:
        return None
    return app.username
