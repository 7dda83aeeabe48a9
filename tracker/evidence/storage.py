"""Where uploaded evidence documents are kept: a folder outside ``static/`` (``instance/uploads/`` by default).

Files are stored under random names (the original name is only kept in the
database, for the download), written with mode 0600 under a temporary name and
renamed when complete, and only ever served as attachments by the download view.
"""

import hashlib
import io
import os
import secrets
import shutil
from pathlib import Path

from tracker.common.files import open_private
from tracker.common.files import private_folder

STORED_NAME_LENGTH = 32
CHUNK_BYTES = 1024 * 1024


def is_stored_name(name):
    """Whether ``name`` is one the store generates: 32 lowercase hexadecimal digits, nothing else."""
    return len(name) == STORED_NAME_LENGTH and all(char in "0123456789abcdef" for char in name)


class UploadStore:
    def __init__(self, folder):
        self.folder = Path(folder)

    def path(self, stored_name):
        """The file's path; refuses any name this store did not generate."""
        if not is_stored_name(stored_name):
            raise ValueError("not a stored file name")
        return self.folder / stored_name

    def save(self, data):
        """Write ``data`` under a new random name and return that name."""
        stored_name = secrets.token_hex(STORED_NAME_LENGTH // 2)
        self.put(stored_name, io.BytesIO(data))
        return stored_name

    def put(self, stored_name, stream):
        """Write the file ``stored_name`` from the binary ``stream`` (a restore puts back the names it backed up)."""
        private_folder(self.folder)
        target = self.path(stored_name)
        partial = target.with_name(stored_name + ".part")
        partial.unlink(missing_ok=True)
        with open_private(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL) as handle:
            shutil.copyfileobj(stream, handle, CHUNK_BYTES)
        os.replace(partial, target)

    def remove(self, stored_name):
        if stored_name:
            self.path(stored_name).unlink(missing_ok=True)

    def stored_names(self):
        """The names of the complete files in the store, sorted (files still being written are left out)."""
        if not self.folder.is_dir():
            return []
        return sorted(entry.name for entry in self.folder.iterdir() if is_stored_name(entry.name) and entry.is_file())

    def sha256(self, stored_name):
        """The SHA-256 of the stored file, as the hexadecimal digest kept on its evidence item."""
        digest = hashlib.sha256()
        with self.path(stored_name).open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        return digest.hexdigest()


def store_for(app):
    """The store of ``app``: ``EVIDENCE_UPLOAD_FOLDER``, else ``<instance>/uploads``."""
    return UploadStore(app.config["EVIDENCE_UPLOAD_FOLDER"] or Path(app.instance_path) / "uploads")
