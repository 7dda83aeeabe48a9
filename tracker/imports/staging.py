"""Uploaded files kept between the import steps (upload → mapping → preview → import), in the database.

An upload is one ``import_upload`` row (who uploaded it, for which project and kind, the mapping chosen
so far) under a random token, its content stored through :mod:`tracker.common.blobs`. Being in the
database, the next step can run on any web host. Only the same user on the same project can continue;
the upload is deleted after the import, on cancel, or once it is older than ``IMPORT_UPLOAD_MINUTES``
(checked whenever someone opens the import pages, and by ``flask --app tracker purge-expired``).
Nothing of it is served back: the file is only read, through a private temporary copy, to parse it.

Plain functions taking a session, no Flask; the caller's transaction decides when the changes stay.
"""

import copy
import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tracker.common import blobs
from tracker.common.files import open_private
from tracker.common.messages import N_
from tracker.common.sizes import size_text
from tracker.db_types import utcnow
from tracker.imports.files import FileRejected
from tracker.imports.models import ImportUpload

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class Upload:
    """An upload waiting for its next step."""

    token: str
    project_id: int
    user_id: int | None
    kind: str
    file_name: str
    suffix: str
    size: int
    sha256: str
    created: datetime
    mapping: dict | None = None
    mapping_name: str = ""
    extra: dict = field(default_factory=dict)
    content_key: str = ""


class LimitedStream:
    """Reads ``stream`` on, refusing the file as soon as more than ``max_bytes`` came in."""

    def __init__(self, stream, max_bytes):
        self.stream, self.max_bytes, self.size = stream, max_bytes, 0

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise FileRejected(N_("The file is larger than %(limit)s, the most an import accepts. Split it into "
                                  "smaller files.", limit=size_text(self.max_bytes)))
        return chunk


def store(session, stream, *, file_name, suffix, project_id, user_id, kind, max_bytes):
    """Keep ``stream`` as a new upload, refusing it once it passes ``max_bytes``; return the :class:`Upload`.

    The content goes in chunk by chunk inside a savepoint, so a refused file leaves nothing behind even
    when the request's transaction commits (the form shown again with the reason).
    """
    with session.begin_nested():
        key = blobs.save(session, LimitedStream(stream, max_bytes))
    stored = blobs.describe(session, key)
    row = ImportUpload(token=secrets.token_urlsafe(24), project_id=project_id, user_id=user_id, kind=kind,
                       file_name=file_name, suffix=suffix, size=stored.size, sha256=stored.sha256,
                       created_at=utcnow(), content_key=key)
    session.add(row)
    session.flush()
    return upload_of(row)


def upload_of(row):
    """The row as an :class:`Upload`, its JSON values copied: a JSON column is saved only when given a new value."""
    return Upload(token=row.token, project_id=row.project_id, user_id=row.user_id, kind=row.kind,
                  file_name=row.file_name, suffix=row.suffix, size=row.size, sha256=row.sha256,
                  created=row.created_at, mapping=copy.deepcopy(row.mapping), mapping_name=row.mapping_name,
                  extra=copy.deepcopy(row.extra or {}), content_key=row.content_key)


def row_of(session, token):
    return session.scalar(sa.select(ImportUpload).where(ImportUpload.token == token))


def save(session, upload):
    """Keep the mapping (and what else the steps add) chosen so far with the upload."""
    row = row_of(session, upload.token)
    if row is not None:
        row.mapping, row.mapping_name = copy.deepcopy(upload.mapping), upload.mapping_name
        row.extra = copy.deepcopy(upload.extra)
        session.flush()


def load(session, token, *, project_id, user_id, max_age_seconds):
    """The upload ``token`` of this user and project, if it exists and has not expired; else None."""
    if not token or not TOKEN.match(token):
        return None
    row = row_of(session, token)
    if row is None or row.project_id != project_id or row.user_id != user_id:
        return None
    if utcnow() - row.created_at > timedelta(seconds=max_age_seconds):
        discard(session, upload_of(row))
        return None
    return upload_of(row)


def discard(session, upload):
    """Delete the upload and its content in the session's transaction."""
    session.execute(sa.delete(ImportUpload).where(ImportUpload.token == upload.token))
    blobs.delete(session, upload.content_key)


def purge_expired(session, max_age_seconds, now=None):
    """Delete every upload older than ``max_age_seconds``; return how many went."""
    limit = (now or utcnow()) - timedelta(seconds=max_age_seconds)
    expired = session.execute(sa.select(ImportUpload.token, ImportUpload.content_key)
                              .where(ImportUpload.created_at < limit)).all()
    for token, key in expired:
        session.execute(sa.delete(ImportUpload).where(ImportUpload.token == token))
        blobs.delete(session, key)
    return len(expired)


@contextmanager
def local_copy(session, upload):
    """A path to a private temporary copy of the upload's content (for the parsers), deleted on leaving.

    The folder is made by :func:`tempfile.mkdtemp` (0700) and the file is 0600.
    """
    with tempfile.TemporaryDirectory(prefix="tracker-import-") as folder:
        path = Path(folder) / f"upload{upload.suffix}"
        with open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL) as handle:
            for position in range(blobs.chunk_count(upload.size)):
                handle.write(blobs.read_chunk(session, upload.content_key, position) or b"")
        yield path
