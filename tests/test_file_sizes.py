"""Sizes read as people expect: bytes under a kilobyte, one decimal for small sizes, the reader's decimal mark."""

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.common.sizes import size_parts
from tracker.common.sizes import size_text


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 B"), (52, "52 B"), (1023, "1023 B"), (1024, "1 kB"), (1536, "1.5 kB"), (348_160, "340 kB"),
    (10 * 1024 * 1024, "10 MB"), (5_400_000, "5.1 MB"), (3 * 1024 ** 3, "3 GB"),
])
def test_a_size_is_shown_in_the_largest_unit_it_reaches(size, shown):
    assert size_text(size) == shown


def test_a_52_byte_file_is_never_shown_as_0_kb():
    assert size_parts(52) == (52, "B")


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=10 ** 12))
def test_a_file_with_content_never_reads_as_empty(size):
    value, unit = size_parts(size)
    assert value > 0 and unit in {"B", "kB", "MB", "GB"}


def test_a_french_reader_sees_a_decimal_comma(app):
    with app.test_request_context(), force_locale("fr"):
        shown = app.jinja_env.from_string("{{ 1536|filesize }}").render()
    assert shown == "1,5 kB"
