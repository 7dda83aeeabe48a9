"""Uploaded files kept on the server between the import steps (upload → mapping → preview → import).

The file goes to ``instance/imports/`` under a random name (never the name
the user gave it), mode 0600, with a small JSON sidecar holding who uploaded
it, for which project and kind, and the mapping chosen so far. Only the same
user on the same project can continue; the file is deleted after the import,
on cancel, or once it is older than ``IMPORT_UPLOAD_MINUTES`` (checked
whenever someone opens the import pages). Nothing of it is served back.

Plain functions, no Flask.
"""

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from tracker.common.files import open_private
from tracker.common.files import private_folder
from tracker.common.messages import N_
from tracker.common.sizes import size_text
from tracker.imports.files import FileRejected

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
CHUNK = 1024 * 1024


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
    created: float
    mapping: dict | None = None
    mapping_name: str = ""
    extra: dict = field(default_factory=dict)


def data_path(directory, upload):
    return Path(directory) / f"{upload.token}{upload.suffix}"


def meta_path(directory, token):
    return Path(directory) / f"{token}.json"


def store(directory, stream, *, file_name, suffix, project_id, user_id, kind, max_bytes):
    """Copy ``stream`` to a new private file, refusing it once it passes ``max_bytes``; return the :class:`Upload`."""
    directory = private_folder(Path(directory))
    upload = Upload(token=secrets.token_urlsafe(24), project_id=project_id, user_id=user_id, kind=kind,
                    file_name=file_name, suffix=suffix, size=0, sha256="", created=time.time())
    path = data_path(directory, upload)
    digest = hashlib.sha256()
    with open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL) as handle:
        while chunk := stream.read(CHUNK):
            upload.size += len(chunk)
            if upload.size > max_bytes:
                handle.close()
                path.unlink(missing_ok=True)
                raise FileRejected(N_("The file is larger than %(limit)s, the most an import accepts. Split it into "
                                      "smaller files.", limit=size_text(max_bytes)))
            digest.update(chunk)
            handle.write(chunk)
    upload.sha256 = digest.hexdigest()
    save(directory, upload)
    return upload


def save(directory, upload):
    with open_private(meta_path(directory, upload.token)) as handle:
        handle.write(json.dumps(asdict(upload)).encode("utf-8"))


def load(directory, token, *, project_id, user_id, max_age_seconds):
    """The upload ``token`` of this user and project, if it exists and has not expired; else None."""
    if not token or not TOKEN.match(token):
        return None
    try:
        upload = Upload(**json.loads(meta_path(directory, token).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if upload.project_id != project_id or upload.user_id != user_id:
        return None
    if time.time() - upload.created > max_age_seconds or not data_path(directory, upload).exists():
        discard(directory, upload)
        return None
    return upload


def discard(directory, upload):
    data_path(directory, upload).unlink(missing_ok=True)
    meta_path(directory, upload.token).unlink(missing_ok=True)


def purge_expired(directory, max_age_seconds, now=None):
    """Delete every upload (and stray file) older than ``max_age_seconds``; return how many files went."""
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    now = now or time.time()
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and now - path.stat().st_mtime > max_age_seconds:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
