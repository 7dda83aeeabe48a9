"""Per-audience figures kept in the worker process, keyed on the data version read from the database.

Each request reads the data version (one primary-key query, :func:`tracker.home.models.current_version`); figures
cached under an older version are never served, so a change committed by any process is seen by every other at
its next request. Only the entries of the newest version seen are kept.
"""

import threading

from flask import current_app

from tracker.home.models import current_version

EXTENSION = "tracker.home.cache"


class FigureCache:
    def __init__(self):
        self.version = None
        self.entries = {}
        self.lock = threading.Lock()

    def get(self, key, version, compute):
        with self.lock:
            if version != self.version:
                if self.version is not None and version < self.version:
                    return compute()
                self.version, self.entries = version, {}
            if key in self.entries:
                return self.entries[key]
        value = compute()
        with self.lock:
            if version == self.version:
                self.entries[key] = value
        return value


def cached(session, key, compute):
    """``compute()`` for ``key`` (audience, fund, scope, ...), computed once per data version and process.

    A request in a transaction that began before a newer version was seen (an older snapshot) computes its own
    figures and leaves the cache alone.
    """
    return current_app.extensions[EXTENSION].get(key, current_version(session), compute)


def init_app(app):
    app.extensions[EXTENSION] = FigureCache()
