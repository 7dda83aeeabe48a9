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
