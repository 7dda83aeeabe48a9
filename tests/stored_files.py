"""Reading what tests stored in the database's files (:mod:`tracker.common.blobs`)."""

from contextlib import nullcontext

import sqlalchemy as sa

from tracker.common import blobs


def content(session, key):
    """The whole content of stored file ``key``, or None when there is no such file."""
    stored = blobs.describe(session, key)
    if stored is None:
        return None
    return b"".join(blobs.chunks(lambda: nullcontext(session), key, stored.size))


def count(session):
    """How many files are stored (and how many chunks hold them)."""
    return (session.scalar(sa.select(sa.func.count()).select_from(blobs.FILES)),
            session.scalar(sa.select(sa.func.count()).select_from(blobs.CHUNKS)))


def as_before_0028(engine, instance):
    """Turn the database of ``engine`` back into one of a version before 0028: every evidence document written
    to ``instance/uploads/<stored name>`` and every done report's file to ``instance/reports/<name>.pdf``, as
    those versions kept them, then the database downgraded to revision 0027 (the file tables dropped)."""
    from tracker import migrate
    from tracker.common.files import open_private
    from tracker.common.files import private_folder

    with engine.begin() as connection:
        documents = connection.execute(sa.text("SELECT stored_name FROM evidence_item WHERE stored_name <> ''"))
        targets = [(key, instance / "uploads" / key) for (key,) in documents]
        for job_id, key in connection.execute(sa.text(
                "SELECT id, file_name FROM report_job WHERE status = 'done' AND file_name <> ''")).all():
            connection.execute(sa.text("UPDATE report_job SET file_name = :name WHERE id = :id"),
                               {"name": f"{key}.pdf", "id": job_id})
            targets.append((key, instance / "reports" / f"{key}.pdf"))
        for key, path in targets:
            private_folder(path.parent)
            with open_private(path) as handle:
                handle.write(content(connection, key))
    migrate.downgrade(engine, "0027")
