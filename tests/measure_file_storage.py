"""Measure an evidence document's upload and download through the web, now that files are kept in the database.

    PYTHONPATH=$PWD .venv/bin/python -m tests.measure_file_storage [DATABASE_URL] [--megabytes 10]

Prints the time of a 10 MB upload and of its download (each the median of three), and the peak of memory
that Python allocated meanwhile (tracemalloc, in a separate run, as tracing slows the code down). The
download is read as a client reads it, chunk by chunk: its peak shows whether the file is ever held whole.
Without DATABASE_URL, a SQLite file in a temporary folder is used.
"""

import argparse
import io
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import FAST_HASHING
from tests.factories import Factory
from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.db import database
from tracker.evidence.models import EvidenceItem

MB = 1024 * 1024
RUNS = 3


def document(size):
    line = b"Referral desk log: session held, follow-up booked, no names recorded.\n"
    return (line * (size // len(line) + 1))[:size]


def signed_in_app(url, folder):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "measure", "WTF_CSRF_ENABLED": False, **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    with database(app).new_session() as session:
        factory = Factory(session, app.extensions["tracker.hasher"])
        project, user = factory.project(), factory.user("me")
        token = auth_services.start_login_session(session, user, verified=True)
        session.commit()
        slug = project.slug
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"], cookie_session["_fresh"] = token, True
    return app, client, slug


def upload(client, slug, data):
    response = client.post(f"/projects/{slug}/evidence/new?kind=document", content_type="multipart/form-data",
                           data={"title": "Referral desk log", "summary": "", "source": "", "collected_on": "",
                                 "file": (io.BytesIO(data), "log.txt")})
    assert response.status_code == 302, response.status_code


def download(client, url):
    """Read the response as a client does, one piece at a time; return the number of bytes received."""
    response = client.get(url, buffered=False)
    received = sum(len(piece) for piece in response.response)
    response.close()
    return received


def timed(work):
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def peak_of(work):
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(url, size):
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{folder}/measure.sqlite"
        app, client, slug = signed_in_app(url, Path(folder))
        data = document(size)
        upload_seconds = statistics.median(timed(lambda: upload(client, slug, data)) for _run in range(RUNS))
        upload_peak = peak_of(lambda: upload(client, slug, data))
        with database(app).new_session() as session:
            item_id = session.scalar(sa.select(sa.func.max(EvidenceItem.id)))
        url_of_file = f"/projects/{slug}/evidence/{item_id}/download"
        assert download(client, url_of_file) == size
        download_seconds = statistics.median(timed(lambda: download(client, url_of_file)) for _run in range(RUNS))
        download_peak = peak_of(lambda: download(client, url_of_file))
        backend = database(app).engine.dialect.name
        database(app).engine.dispose()
    print(f"{backend}, a {size / MB:.0f} MB document (median of {RUNS}):")
    print(f"  upload   {upload_seconds:6.2f} s   peak Python memory {upload_peak / MB:6.1f} MB")
    print(f"  download {download_seconds:6.2f} s   peak Python memory {download_peak / MB:6.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--megabytes", type=int, default=10)
    arguments = parser.parse_args()
    measure(arguments.url, arguments.megabytes * MB)


if __name__ == "__main__":
    main()
