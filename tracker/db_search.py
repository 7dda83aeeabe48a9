"""The database side of full-text search, on both backends, and what Alembic must leave alone.

SQLite: one FTS5 table per searchable table (``outcome_fts``, ``story_fts``,
``story_translation_fts``), created by migration 0005 as *external content*
tables over the real table and kept in sync by triggers. FTS5 tables are not
models, and SQLite adds shadow tables (``*_fts_data``, ``*_fts_idx`` ...), so
Alembic is told to ignore them (:func:`include_name`).

PostgreSQL: a GIN expression index over ``to_tsvector('english', <document>)``,
declared on the model with :func:`search_index` so that autogenerate compares
it. The expression is written exactly as PostgreSQL prints it back
(``pg_get_indexdef``, pretty form), which is what makes the comparison clean; queries use the
same expression (:func:`document_sql`) so the planner can use the index.

Caution for later migrations: SQLite "batch" table rebuilds drop triggers. A
migration that rebuilds ``outcome``, ``story`` or ``story_translation`` must
re-create the triggers and rebuild the index (see ``sqlite_fts_ddl``);
``tests/test_search.py`` fails if the triggers are missing at head.
"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa

TEXT_CONFIG = "english"

# table -> [(column, "text" | "varchar")]: the text readers of that table may see.
SEARCHED_COLUMNS = {
    "outcome": [("description", "text"), ("social_actor", "varchar"), ("significance", "text"),
                ("contribution", "text")],
    "story": [("title", "varchar"), ("what_happened", "text"), ("why_significant", "text")],
    "story_translation": [("title", "varchar"), ("what_happened", "text"), ("why_significant", "text")],
}

FTS_SUFFIX = "_fts"
FTS_TABLES = tuple(f"{table}{FTS_SUFFIX}" for table in SEARCHED_COLUMNS)
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")


def _term(column, kind):
    if kind == "varchar":
        return f"COALESCE({column}, ''::character varying)::text"
    return f"COALESCE({column}, ''::text)"


def document_sql(table):
    """The searched document of ``table`` as one SQL expression, spelt as PostgreSQL reflects it.

    That is ``pg_get_indexdef``'s pretty form, which SQLAlchemy's reflection
    returns and Alembic compares against.
    """
    columns = SEARCHED_COLUMNS[table]
    expression = _term(*columns[0])
    for position, (column, kind) in enumerate(columns[1:], 2):
        expression = f"({expression} || ' '::text) || {_term(column, kind)}"
        if position < len(columns):
            expression = f"({expression})"
    return expression


def vector_sql(table):
    return f"to_tsvector('{TEXT_CONFIG}'::regconfig, {document_sql(table)})"


def search_index_name(table):
    return f"ix_{table}_search"


def search_index(table):
    """The PostgreSQL GIN index for ``table``'s searched document (no-op DDL on SQLite)."""
    return sa.Index(search_index_name(table), sa.text(vector_sql(table)), postgresql_using="gin").ddl_if(
        dialect="postgresql")


def is_fts_table(name):
    """Whether ``name`` is one of our FTS5 virtual tables or one of SQLite's shadow tables for them."""
    return any(name == table or (name.startswith(table) and name[len(table):] in FTS_SHADOW_SUFFIXES)
               for table in FTS_TABLES)


def include_name(name, type_, parent_names):
    """Alembic ``include_name`` hook: never compare (and so never drop) the FTS5 tables."""
    return not (type_ == "table" and name is not None and is_fts_table(name))


def alembic_filters(dialect_name):
    """The ``include_name``/``include_object`` options for a migration context on ``dialect_name``."""

    def include_for_dialect(obj, name, type_, reflected, compare_to):
        if type_ == "index" and not reflected:
            condition = getattr(obj, "_ddl_if", None)
            wanted = getattr(condition, "dialect", None)
            if wanted is not None and wanted != dialect_name:
                return False
        return True

    return {"include_name": include_name, "include_object": include_for_dialect}


@contextmanager
def expression_indexes_unreflectable_here():
    """Silence Alembic's note that SQLite cannot reflect the PostgreSQL-only search indexes.

    The indexes are never created on SQLite (``ddl_if``) and the filters above
    already leave them out of the comparison there; on PostgreSQL they are
    compared for real.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"autogenerate skipping metadata-specified expression-based index 'ix_\w+_search'")
        yield


def sqlite_fts_ddl(table):
    """CREATE statements for ``table``'s FTS5 index and the triggers that keep it in sync.

    Every identifier comes from :data:`SEARCHED_COLUMNS`, never from input.
    """
    columns = [column for column, _kind in SEARCHED_COLUMNS[table]]
    fts = f"{table}{FTS_SUFFIX}"
    names = ", ".join(columns)
    new_values = ", ".join(f"new.{column}" for column in columns)
    old_values = ", ".join(f"old.{column}" for column in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old_values});"  # noqa: S608  # nosec B608 - identifiers from SEARCHED_COLUMNS
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new_values});"  # noqa: S608  # nosec B608 - identifiers from SEARCHED_COLUMNS
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_after_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_after_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_after_update AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608  # nosec B608 - identifiers from SEARCHED_COLUMNS
    ]


def sqlite_fts_triggers(table):
    fts = f"{table}{FTS_SUFFIX}"
    return [f"{fts}_after_insert", f"{fts}_after_delete", f"{fts}_after_update"]


def forget_removed_text(session):
    """Make the search index let go of text just removed from its table (a sealed story's).

    On SQLite an FTS5 index records a deletion as a marker beside the old entries until its segments are
    merged: ``optimize`` merges them now, so the removed words are gone from the index's own pages. On
    PostgreSQL the expression index follows the row at once.
    """
    if session.get_bind().dialect.name == "sqlite":
        for table in ("story", "story_translation"):
            session.execute(sa.text(f"INSERT INTO {table}{FTS_SUFFIX}({table}{FTS_SUFFIX}) VALUES ('optimize')"))  # noqa: S608  # nosec B608 - fixed identifiers
