"""read_lines: exact round trip, streaming, and errors that say where the problem is."""

from __future__ import annotations

import codecs
import io
import random
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore import textio
from vnrestore.errors import InputError
from vnrestore.textio import read_lines


def write(tmp_path, data: bytes, name: str = "input.txt") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def lines_of(tmp_path, data: bytes, **kw) -> list[str]:
    return list(read_lines(write(tmp_path, data), **kw))


@pytest.fixture
def small_chunks(monkeypatch):
    """Set the chunk size, so chunk boundaries fall inside the short inputs of a test."""
    def set_size(size: int) -> None:
        monkeypatch.setattr(textio, "CHUNK_BYTES", size)
    return set_size


class FakeStdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


# -- lines and line ends ------------------------------------------------------------
def test_line_ends_are_kept_exactly(tmp_path):
    data = "một\nhai\r\nba\rbốn".encode()
    assert lines_of(tmp_path, data) == ["một\n", "hai\r\n", "ba\r", "bốn"]


def test_final_carriage_return_is_a_line_end(tmp_path):
    assert lines_of(tmp_path, b"a\r") == ["a\r"]
    assert lines_of(tmp_path, b"a\r\r\n") == ["a\r", "\r\n"]


def test_other_unicode_line_breaks_stay_inside_a_line(tmp_path):
    text = "a\x0cb\u2028c\x85d\n"
    assert lines_of(tmp_path, text.encode()) == [text]


def test_empty_file_yields_nothing(tmp_path):
    assert lines_of(tmp_path, b"") == []


@pytest.mark.parametrize("size", range(1, 9))
def test_chunk_boundaries_split_neither_crlf_nor_characters(tmp_path, small_chunks, size):
    small_chunks(size)
    text = "Cộng hòa\r\nViệt Nam\r\n\r\nđộc lập\r"
    assert lines_of(tmp_path, text.encode()) == ["Cộng hòa\r\n", "Việt Nam\r\n", "\r\n", "độc lập\r"]


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab ệ\r\n\tđ\u0301\ufeff"), max_size=60),
       size=st.integers(1, 10))
def test_round_trip_for_any_text_and_chunk_size(tmp_path_factory, text, size):
    path = tmp_path_factory.mktemp("rt") / "t.txt"
    path.write_bytes(text.encode())
    old = textio.CHUNK_BYTES
    textio.CHUNK_BYTES = size
    try:
        lines = list(read_lines(str(path)))
    finally:
        textio.CHUNK_BYTES = old
    assert "".join(lines) == text
    # Every piece but the last ends a line, and holds no line end before its end.
    for line in lines[:-1]:
        assert line.endswith(("\n", "\r"))
    for line in lines:
        ends = [m.end() for m in textio.LINE_END.finditer(line)]
        assert ends in ([], [len(line)])


def test_bom_and_nfd_pass_through(tmp_path):
    nfd = unicodedata.normalize("NFD", "Việt Nam")
    assert nfd != "Việt Nam"
    text = "\ufeff" + nfd + "\n"
    assert lines_of(tmp_path, text.encode()) == [text]


# -- long lines -----------------------------------------------------------------------
def test_long_line_is_cut_after_whitespace(tmp_path, monkeypatch, small_chunks):
    monkeypatch.setattr(textio, "MAX_LINE_CHARS", 10)
    small_chunks(4)
    text = "mot hai ba bon nam sau bay tam\nchin\n"
    lines = lines_of(tmp_path, text.encode())
    assert "".join(lines) == text
    # A line is looked at once a chunk has been added to it: it may exceed the limit
    # by less than a chunk.
    assert len(lines) > 3
    assert all(len(line) < 10 + 4 for line in lines)
    # No word is split: every piece ends a line or ends with whitespace.
    assert all(line[-1].isspace() for line in lines)
    assert lines[-1] == "chin\n"


def test_long_line_without_whitespace_is_cut_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(textio, "MAX_LINE_CHARS", 10)
    lines = lines_of(tmp_path, b"x" * 25)
    assert lines == ["x" * 10, "x" * 10, "x" * 5]


def test_three_megabyte_single_line_comes_in_bounded_pieces(tmp_path):
    text = "Cong hoa xa hoi chu nghia Viet Nam. " * 90_000  # ~3.2 MB, no newline
    lines = lines_of(tmp_path, text.encode())
    assert len(lines) >= 3
    assert all(len(line) <= textio.MAX_LINE_CHARS for line in lines)
    assert all(line.endswith(" ") for line in lines)
    assert "".join(lines) == text


def test_lines_come_before_the_whole_input_is_read(monkeypatch):
    reads = []

    class CountingBuffer(io.BytesIO):
        def read1(self, size=-1):
            reads.append(size)
            return super().read1(size)

    stdin = FakeStdin(b"")
    stdin.buffer = CountingBuffer(b"first line\n" + b"more text\n" * 100_000)
    monkeypatch.setattr(sys, "stdin", stdin)
    lines = read_lines("-")
    assert next(lines) == "first line\n"
    assert len(reads) == 1
    assert max(reads) <= textio.CHUNK_BYTES


# -- stdin ----------------------------------------------------------------------------
def test_dash_reads_stdin_and_leaves_it_open(monkeypatch):
    stdin = FakeStdin("dòng một\ndòng hai".encode())
    monkeypatch.setattr(sys, "stdin", stdin)
    assert list(read_lines("-")) == ["dòng một\n", "dòng hai"]
    assert not stdin.buffer.closed


# -- errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 2, 3, 5, 64 * 1024])
def test_invalid_utf8_names_file_and_absolute_byte_offset(tmp_path, small_chunks, size):
    small_chunks(size)
    prefix = "Việt Nam\n".encode() * 3
    path = write(tmp_path, prefix + b"ok \xe1\xba" + b"x\n")  # truncated 3-byte sequence
    with pytest.raises(InputError) as info:
        list(read_lines(path))
    offset = len(prefix) + 3
    assert str(info.value) == (f"{path}: not valid UTF-8 at byte {offset} "
                               f"(use --errors replace to read it anyway)")


def test_invalid_utf8_after_the_first_chunk(tmp_path):
    prefix = b"a" * (3 * 64 * 1024 + 7)
    path = write(tmp_path, prefix + b"\xff")
    with pytest.raises(InputError, match=f"at byte {len(prefix)} "):
        list(read_lines(path))


def test_truncated_character_at_end_of_file(tmp_path):
    path = write(tmp_path, b"abc\xc3")
    with pytest.raises(InputError, match="at byte 3 "):
        list(read_lines(path))


def test_errors_replace_reads_invalid_bytes_as_replacement_character(tmp_path):
    assert lines_of(tmp_path, b"a\xffb\n", errors="replace") == ["a\ufffdb\n"]


def test_nul_byte_means_binary(tmp_path):
    path = write(tmp_path, b"text\x00more")
    with pytest.raises(InputError) as info:
        list(read_lines(path))
    assert str(info.value) == f"{path}: looks like a binary file, not text"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, encoding):
    text = "Việt Nam\r\ncong hoa\n" * 3
    data = (codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b"") + text.encode(encoding)
    assert "".join(lines_of(tmp_path, data)) == text


def test_utf16_across_chunks(tmp_path, small_chunks):
    small_chunks(7)  # odd: a chunk ends inside a two-byte code unit
    text = "Việt Nam cộng hòa\n" * 20
    assert "".join(lines_of(tmp_path, text.encode("utf-16"))) == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_says_how_to_convert(tmp_path, encoding):
    with pytest.raises(InputError, match="looks like UTF-16 text without a byte-order mark.*iconv"):
        lines_of(tmp_path, "Cong hoa xa hoi chu nghia Viet Nam".encode(encoding))


def test_missing_file(tmp_path):
    path = str(tmp_path / "absent.txt")
    with pytest.raises(InputError) as info:
        list(read_lines(path))
    assert str(info.value) == f"{path}: No such file or directory"


def test_directory(tmp_path):
    with pytest.raises(InputError) as info:
        list(read_lines(str(tmp_path)))
    assert str(info.value) == f"{tmp_path}: Is a directory"


def test_stdin_is_named_in_messages(monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"\xff"))
    with pytest.raises(InputError, match=r"^<stdin>: not valid UTF-8 at byte 0 "):
        list(read_lines("-"))


def test_random_bytes_either_decode_exactly_or_fail_with_the_first_bad_offset(tmp_path, small_chunks):
    small_chunks(7)
    rng = random.Random(1)
    for _ in range(200):
        data = bytes(rng.choice(b"ab\n\r\xc3\xa1\xe1\xba\xbf\x80") for _ in range(rng.randrange(30)))
        path = write(tmp_path, data)
        try:
            expected = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            with pytest.raises(InputError, match=f"at byte {exc.start} "):
                list(read_lines(path))
        else:
            assert "".join(read_lines(path)) == expected
