"""Where uploaded evidence documents are kept: a folder outside ``static/`` (``instance/uploads/`` by default).

Files are stored under random names (the original name is only kept in the
database, for the download), written with mode 0600 under a temporary name and
renamed when complete, and only ever served as attachments by the download view.
"""

import os
import secrets
from pathlib import Path

STORED_NAME_LENGTH = 32


class UploadStore:
    def __init__(self, folder):
        self.folder = Path(folder)

    def path(self, stored_name):
        """The file's path; refuses any name this store did not generate."""
        if len(stored_name) != STORED_NAME_LENGTH or not all(char in "0123456789abcdef" for char in stored_name):
            raise ValueError("not a stored file name")
        return self.folder / stored_name

    def save(self, data):
        """Write ``data`` under a new random name and return that name."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stored_name = secrets.token_hex(STORED_NAME_LENGTH // 2)
        target = self.path(stored_name)
        partial = target.with_name(stored_name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, target)
        return stored_name

    def remove(self, stored_name):
        if stored_name:
            self.path(stored_name).unlink(missing_ok=True)


def store_for(app):
    """The store of ``app``: ``EVIDENCE_UPLOAD_FOLDER``, else ``<instance>/uploads``."""
    return UploadStore(app.config["EVIDENCE_UPLOAD_FOLDER"] or Path(app.instance_path) / "uploads")
