"""Serve a file kept in the database (:mod:`tracker.common.blobs`) as an attachment, streamed chunk by chunk.

The response reads one chunk at a time, each in a short read-only session of its own, after the request's
transaction (and its audit entry) has committed: a 10 MB document never sits whole in a worker's memory,
and no transaction stays open while a slow client downloads.
"""

import unicodedata
from urllib.parse import quote

from flask import Response

from tracker.common import blobs
from tracker.db import database
from tracker.db import read_only


def reading_session(db):
    """A new session of ``db`` whose transaction only reads (on SQLite: no write lock)."""
    session = db.new_session()
    read_only(session)
    return session


def attachment_names(download_name):
    """The ``filename`` (ASCII) and, for other names, RFC 5987's ``filename*`` parameters of the header."""
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": "UTF-8''" + quote(download_name, safe="!#$&+-.^_`|~")}
    return {"filename": download_name}


def stored_file_response(stored, mimetype, download_name):
    """An attachment response streaming the stored file ``stored`` (a :func:`blobs.describe` row)."""
    db = database()
    response = Response(blobs.chunks(lambda: reading_session(db), stored.id, stored.size), mimetype=mimetype)
    response.content_length = stored.size
    response.headers.set("Content-Disposition", "attachment", **attachment_names(download_name))
    response.headers["Cache-Control"] = "private, no-store"
    return response
