"""Files kept in the database (tracker.common.blobs): written in chunks, read one chunk per short session."""

import hashlib
from contextlib import nullcontext

import pytest
import sqlalchemy as sa

from tests import stored_files
from tracker.common import blobs

pytestmark = pytest.mark.both_backends

REGISTER = bytes(range(256)) * (blobs.CHUNK_BYTES // 128) + b"last line"  # two chunks and a bit, every byte value


def test_a_file_is_stored_in_chunks_with_its_size_sha256_and_media_type(session):
    key = blobs.save(session, REGISTER, "application/pdf")

    stored = blobs.describe(session, key)
    assert blobs.is_key(key) and stored.size == len(REGISTER)
    assert stored.sha256 == hashlib.sha256(REGISTER).hexdigest() and stored.media_type == "application/pdf"
    assert stored_files.count(session) == (1, 3)
    assert stored_files.content(session, key) == REGISTER


def test_each_file_gets_a_new_random_key(session):
    assert blobs.save(session, b"one") != blobs.save(session, b"one")


def test_a_file_can_be_written_from_a_stream_without_reading_it_whole(session, tmp_path):
    path = tmp_path / "register.pdf"
    path.write_bytes(REGISTER)

    with path.open("rb") as stream:
        key = blobs.save(session, stream)

    assert stored_files.content(session, key) == REGISTER


def test_a_file_written_in_a_rolled_back_transaction_leaves_nothing(session):
    blobs.save(session, REGISTER)
    session.rollback()

    assert stored_files.count(session) == (0, 0)


def test_deleting_a_file_deletes_its_chunks(session):
    kept, deleted = blobs.save(session, b"kept"), blobs.save(session, REGISTER)

    blobs.delete(session, deleted)

    assert blobs.describe(session, deleted) is None and stored_files.count(session) == (1, 1)
    assert stored_files.content(session, kept) == b"kept"


def test_a_deletion_rolled_back_keeps_the_file(session):
    key = blobs.save(session, REGISTER)
    session.commit()

    blobs.delete(session, key)
    session.rollback()

    assert stored_files.content(session, key) == REGISTER


def test_names_that_are_not_keys_are_never_looked_up(session):
    assert blobs.describe(session, "../secret_key") is None and blobs.describe(session, "") is None


def test_reading_opens_one_short_session_per_chunk(session):
    key = blobs.save(session, REGISTER)
    opened = []

    def open_session():
        opened.append(len(opened))
        return nullcontext(session)

    reader = blobs.chunks(open_session, key, len(REGISTER))

    assert len(next(reader)) == blobs.CHUNK_BYTES and opened == [0]
    assert b"".join(reader) == REGISTER[blobs.CHUNK_BYTES:] and opened == [0, 1, 2]


def test_a_file_deleted_while_it_is_read_ends_the_read_with_an_error(session):
    key = blobs.save(session, REGISTER)
    reader = blobs.chunks(lambda: nullcontext(session), key, len(REGISTER))
    next(reader)

    blobs.delete(session, key)

    with pytest.raises(blobs.FileVanished):
        next(reader)


def test_delete_unreferenced_keeps_the_files_a_record_points_to(app, session):
    kept, orphan = blobs.save(session, b"kept"), blobs.save(session, b"orphan")
    referenced = sa.select(sa.literal(kept).label("key"))

    assert blobs.delete_unreferenced(session, [referenced]) == 1
    assert stored_files.content(session, kept) == b"kept" and blobs.describe(session, orphan) is None


def test_the_content_check_sees_an_altered_chunk(app, session):
    key = blobs.save(session, REGISTER)
    session.execute(blobs.CHUNKS.update().where(blobs.CHUNKS.c.file_id == key, blobs.CHUNKS.c.position == 1)
                    .values(data=b"altered"))

    assert blobs.content_sha256(session, key) != blobs.describe(session, key).sha256

