"""Report files: the reports folder (under ``instance/``, never ``static/``), atomic writes, deferred deletion.

A file is deleted only once the transaction that revoked or expired its job commits, so a rolled-back
withdrawal leaves a working link working, and a committed one leaves no file behind.
"""

import logging
import os
import secrets
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask import has_app_context
from sqlalchemy.orm import Session

from tracker.common.files import private_folder

logger = logging.getLogger(__name__)
PENDING_KEY = "tracker.reports.files_to_delete"
PARTIAL_PREFIX = ".partial-"


def reports_folder(app=None):
    """Where report files live: ``instance/reports/`` unless ``REPORT_FOLDER`` says otherwise."""
    app = app or current_app
    return private_folder(Path(app.config["REPORT_FOLDER"] or Path(app.instance_path) / "reports"))


def write_atomically(folder, content, extension):
    """Write ``content`` under a random name in ``folder`` (mode 0600): a temporary file renamed when complete."""
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=PARTIAL_PREFIX, suffix=f".{extension}")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        final = folder / f"{secrets.token_hex(16)}.{extension}"
        os.replace(temporary, final)
        return final
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def delete_after_commit(session, file_name):
    """Delete report file ``file_name`` when ``session`` commits (nothing happens if it rolls back)."""
    if file_name and has_app_context():
        session.info.setdefault(PENDING_KEY, set()).add(reports_folder() / Path(file_name).name)


@sa.event.listens_for(Session, "after_commit")
def delete_pending_files(session):
    """The commit stands whatever happens here: a file that cannot be deleted is logged for ``report-cleanup``."""
    for path in session.info.pop(PENDING_KEY, set()):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.exception("Could not delete report file %s; report-cleanup will", path.name)


@sa.event.listens_for(Session, "after_rollback")
def keep_files_of_rolled_back_changes(session):
    session.info.pop(PENDING_KEY, None)


def orphans(folder, kept_names):
    """Files in the reports folder that no live job points to (left by a crash, or revoked without an app)."""
    return [path for path in folder.iterdir() if path.is_file() and path.name not in kept_names]
