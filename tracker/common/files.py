"""Folders and files that only the app's own user can read, whatever the umask.

Temporary copies of import uploads, backups and the database hold children's stories: they are
created 0600 inside folders that are 0700 (``os.open``'s mode and ``mkdir``'s are narrowed by the umask, never
widened, and an existing folder is narrowed with ``chmod``).
"""

import os

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path):
    """Create ``path`` (and missing parents) if needed, and make it 0700; returns ``path``."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    path.chmod(FOLDER_MODE)
    return path


def open_private(path, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    """Open ``path`` for writing in binary mode, created 0600 (an existing file is made 0600 as well)."""
    descriptor = os.open(path, flags, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, "wb")
