"""File contents kept in the database: evidence documents and prepared report files.

A file is one ``stored_file`` row (a random key, its size, SHA-256 and media type) and its content in
``stored_file_chunk`` rows of :data:`CHUNK_BYTES` each. Keeping them in the database means every web host
serves them, a backup (``pg_dump`` or SQLite's backup API) carries them, and a file is written or deleted in
the same transaction as the record that points to it: a rolled-back upload leaves nothing behind, and an
erased story's document is gone when the erasure commits, never before.

Records point to a file by its key (``evidence_item.stored_name``, ``report_job.file_name``); content no
record points to is removed by ``flask --app tracker report-cleanup`` (:func:`delete_unreferenced`).

Nothing here holds a whole file in memory: :func:`save` takes a stream and writes chunk by chunk, and
:func:`chunks` reads one chunk per short transaction of its own, so a download keeps no transaction open
while the client reads. Plain data: functions take a session (no Flask).
"""

import hashlib
import io
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field
from sqlmodel import SQLModel

from tracker.db_types import timestamp_column
from tracker.db_types import utcnow

CHUNK_BYTES = 1024 * 1024
KEY_LENGTH = 32


class StoredFile(SQLModel, table=True):
    """One file's description; its content is in :class:`StoredFileChunk` rows."""

    __tablename__ = "stored_file"

    id: str = Field(primary_key=True, max_length=KEY_LENGTH)
    size: int = Field(default=0)
    sha256: str = Field(default="", max_length=64)
    media_type: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class StoredFileChunk(SQLModel, table=True):
    """The ``position``-th piece (from 0) of a file's content."""

    __tablename__ = "stored_file_chunk"

    file_id: str = Field(primary_key=True, max_length=KEY_LENGTH, foreign_key="stored_file.id", ondelete="CASCADE")
    position: int = Field(primary_key=True)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


FILES = StoredFile.__table__
CHUNKS = StoredFileChunk.__table__


def is_key(value):
    """Whether ``value`` is a key :func:`save` makes: 32 lowercase hexadecimal digits, nothing else."""
    return isinstance(value, str) and len(value) == KEY_LENGTH and all(char in "0123456789abcdef" for char in value)


def save(session, content, media_type=""):
    """Store ``content`` (bytes or a binary stream) in ``session``'s transaction and return its new key."""
    stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    key = secrets.token_hex(KEY_LENGTH // 2)
    session.execute(FILES.insert().values(id=key, size=0, sha256="", media_type=media_type, created_at=utcnow()))
    digest, size, position = hashlib.sha256(), 0, 0
    while chunk := stream.read(CHUNK_BYTES):
        session.execute(CHUNKS.insert().values(file_id=key, position=position, data=chunk))
        digest.update(chunk)
        size, position = size + len(chunk), position + 1
    session.execute(FILES.update().where(FILES.c.id == key).values(size=size, sha256=digest.hexdigest()))
    return key


def describe(session, key):
    """The file's row (id, size, sha256, media_type, created_at), or None when there is no such file."""
    if not is_key(key):
        return None
    return session.execute(sa.select(FILES).where(FILES.c.id == key)).first()


def delete(session, key):
    """Delete the file ``key`` (if any) in ``session``'s transaction: it is gone when that transaction commits."""
    if key:
        session.execute(CHUNKS.delete().where(CHUNKS.c.file_id == key))
        session.execute(FILES.delete().where(FILES.c.id == key))


def chunk_count(size):
    return -(-size // CHUNK_BYTES)


def read_chunk(session, key, position):
    return session.scalar(sa.select(CHUNKS.c.data).where(CHUNKS.c.file_id == key, CHUNKS.c.position == position))


def chunks(open_session, key, size):
    """Yield the content of file ``key`` (of ``size`` bytes), each chunk read in a short session of its own.

    ``open_session()`` returns a new session (read-only where the backend allows it). A file deleted
    while it is being read ends the download with an error rather than a silently shorter file.
    """
    for position in range(chunk_count(size)):
        with open_session() as session:
            data = read_chunk(session, key, position)
        if data is None:
            raise FileVanished(key)
        yield bytes(data)


class FileVanished(LookupError):
    """The file was deleted (its record erased or revoked) while it was being read."""


def content_sha256(session, key):
    """The SHA-256 of the file's content as stored now (to check it against the one recorded at upload)."""
    digest = hashlib.sha256()
    for position in range(chunk_count(describe(session, key).size)):
        digest.update(read_chunk(session, key, position) or b"")
    return digest.hexdigest()


def delete_unreferenced(session, referenced):
    """Delete every file whose key none of the ``referenced`` selects (of one key column each) returns.

    Files written by transactions still under way are not visible here, so they are never taken for orphans.
    Returns the number of files deleted.
    """
    kept = sa.union(*referenced).subquery()
    orphans = sa.select(FILES.c.id).where(FILES.c.id.not_in(sa.select(kept.c[0]).where(kept.c[0].is_not(None))))
    keys = list(session.scalars(orphans))
    for key in keys:
        delete(session, key)
    return len(keys)
