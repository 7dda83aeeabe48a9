"""files move into the database: evidence documents and report files

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 12:10:00

Creates ``stored_file`` and ``stored_file_chunk`` and moves every file of the old folders into them, under
the same key, in this one transaction:

- each evidence document of the upload folder (``EVIDENCE_UPLOAD_FOLDER``, else ``instance/uploads``),
  checked against the SHA-256 recorded on its evidence item: a missing or altered file stops the migration
  (nothing changes) with a message naming the evidence id, never the file's content or title;
- each file of a done report job in the reports folder (``REPORT_FOLDER``, else ``instance/reports``); a job
  whose file is already gone is marked expired (its link could not serve it anyway).

``flask --app tracker init-db`` tells the migration where the folders are. The files stay on disk: delete
the two folders once the upgraded instance serves its documents (the README says how to check).
"""

import hashlib
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import context
from alembic import op

import tracker.db_types
from tracker.migrate import MigrationStopped
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

CHUNK_BYTES = 1024 * 1024
KEY_LENGTH = 32
FILES = sa.table('stored_file', sa.column('id'), sa.column('size'), sa.column('sha256'), sa.column('media_type'),
                 sa.column('created_at', tracker.db_types.UTCDateTime()))
CHUNKS = sa.table('stored_file_chunk', sa.column('file_id'), sa.column('position'),
                  sa.column('data', sa.LargeBinary()))
REPORT_MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html"}


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('created_at', tracker.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file'))
    )
    op.create_table('stored_file_chunk',
    sa.Column('file_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'],
                            name=op.f('fk_stored_file_chunk_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'position', name=op.f('pk_stored_file_chunk'))
    )
    folders = context.config.attributes.get("file_folders") or {}
    connection = op.get_bind()
    move_evidence_documents(connection, folders.get("uploads"))
    move_report_files(connection, folders.get("reports"))


def downgrade():
    op.drop_table('stored_file_chunk')
    op.drop_table('stored_file')


def is_key(name):
    return len(name) == KEY_LENGTH and all(char in "0123456789abcdef" for char in name)


def move_evidence_documents(connection, folder):
    items = connection.execute(sa.text(
        "SELECT id, stored_name, content_type, sha256 FROM evidence_item WHERE stored_name <> '' ORDER BY id")).all()
    for evidence_id, stored_name, content_type, sha256 in items:
        path = Path(folder) / stored_name if folder and is_key(stored_name) else None
        if path is None or not path.is_file():
            raise MigrationStopped(
                f"Evidence {evidence_id}: its file is missing from {folder or 'the upload folder'}. Put it back "
                f"(from a backup) and run `flask --app tracker init-db` again; nothing was changed.")
        if move_file(connection, path, stored_name, content_type) != sha256 and sha256:
            raise MigrationStopped(
                f"Evidence {evidence_id}: its file in {folder} differs from the one uploaded (SHA-256 does not "
                f"match). Put the uploaded file back (from a backup) and run `flask --app tracker init-db` again; "
                f"nothing was changed.")


def move_report_files(connection, folder):
    jobs = connection.execute(sa.text(
        "SELECT id, file_name, format FROM report_job WHERE status = 'done' AND file_name <> '' ORDER BY id")).all()
    for job_id, file_name, report_format in jobs:
        path = Path(folder) / Path(file_name).name if folder else None
        if path is None or not path.is_file():
            connection.execute(sa.text("UPDATE report_job SET status = 'expired', file_name = '' WHERE id = :id"),
                               {"id": job_id})
            continue
        key = secrets.token_hex(KEY_LENGTH // 2)
        move_file(connection, path, key, REPORT_MEDIA_TYPES.get(report_format, ""))
        connection.execute(sa.text("UPDATE report_job SET file_name = :key WHERE id = :id"), {"key": key, "id": job_id})


def move_file(connection, path, key, media_type):
    """Copy the file at ``path`` into the tables under ``key``, chunk by chunk; return its SHA-256."""
    connection.execute(FILES.insert().values(id=key, size=0, sha256="", media_type=media_type,
                                             created_at=tracker.db_types.utcnow()))
    digest, size, position = hashlib.sha256(), 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            connection.execute(CHUNKS.insert().values(file_id=key, position=position, data=chunk))
            digest.update(chunk)
            size, position = size + len(chunk), position + 1
    connection.execute(FILES.update().where(FILES.c.id == key).values(size=size, sha256=digest.hexdigest()))
    return digest.hexdigest()
