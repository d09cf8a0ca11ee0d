"""Read user input as text, streaming, with errors a user can act on.

``read_lines`` turns a file (or stdin) into lines that keep their line ends exactly, so
that joining what it yields gives back the decoded input character for character: the
restorer only changes words, and everything else, including a BOM, CRLF line ends and
NFD text, must come out as it went in.  Memory stays bounded by the chunk size and the
longest-line limit, however large the file is.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import itertools
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import regex

from .errors import InputError

CHUNK_BYTES = 64 * 1024
# A line longer than this (in characters) is handed on in pieces, so a file that is one
# huge line does not have to be held whole.
MAX_LINE_CHARS = 1 << 20
STDIN = "-"

# The line ends read_lines splits at; the others str.splitlines knows (such as "\x0c"
# or "\u2028") stay inside a line.
LINE_END = re.compile(r"\r\n|\r|\n")
_LAST_SPACE = regex.compile(r"\s", regex.REVERSE)


def read_lines(path: str, errors: str = "strict") -> Iterator[str]:
    """Yield the lines of `path` ("-" for stdin) decoded as UTF-8, with their line ends.

    With ``errors="strict"`` invalid UTF-8 raises ``InputError`` giving the byte offset of
    the first bad byte; ``errors="replace"`` reads it as U+FFFD instead.  A line longer
    than ``MAX_LINE_CHARS`` is yielded in pieces cut after a whitespace character.
    """
    name = display_name(path)
    with _open_binary(path, name) as stream:
        chunks = _read_chunks(stream, name)
        head = next(chunks, b"")
        chunks = itertools.chain([head], chunks)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # UTF-16 with its byte-order mark (Windows "Unicode" text): unambiguous, so
            # read it; the mark goes (the output is UTF-8, where it means nothing).
            yield from _split_lines(_decode(chunks, name, errors, "utf-16"))
        else:
            yield from _split_lines(_decode(_refuse_binary(chunks, name), name, errors))


def display_name(path: str) -> str:
    """How messages name an input."""
    return "<stdin>" if path == STDIN else path


def _open_binary(path: str, name: str):
    if path == STDIN:
        # Not ours to close: leave stdin open for whoever runs us.
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror}") from None


def _read_chunks(stream: BinaryIO, name: str) -> Iterator[bytes]:
    """Raw chunks of the stream."""
    # read1 returns what is available, so text piped in interactively is not held back
    # until a whole chunk has arrived.
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            data = read(CHUNK_BYTES)
        except OSError as exc:
            raise InputError(f"{name}: {exc.strerror}") from None
        if not data:
            return
        yield data


def _refuse_binary(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """The chunks, refused early if they look binary (or like UTF-16 without a BOM)."""
    position = 0
    for data in chunks:
        if _has_nul_in_head(data, position):
            if position == 0 and _looks_utf16(data):
                raise InputError(f"{name}: looks like UTF-16 text without a byte-order mark; convert it to "
                                 f"UTF-8 first (iconv -f UTF-16LE -t UTF-8, or UTF-16BE)")
            raise InputError(f"{name}: looks like a binary file, not text")
        position += len(data)
        yield data


def _has_nul_in_head(data: bytes, position: int) -> bool:
    """A NUL byte in the first chunk's worth of the input: text never has one, while
    binary files (and UTF-16 text without a BOM) nearly always do."""
    return position < CHUNK_BYTES and b"\0" in data[: CHUNK_BYTES - position]


def _looks_utf16(data: bytes) -> bool:
    """Mostly-Latin UTF-16: every other byte NUL, all on the same side."""
    head = data[:512]
    if len(head) < 4:
        return False
    for side in (0, 1):
        nuls = head[side::2].count(0)
        if nuls >= 0.6 * len(head[side::2]) and head[1 - side::2].count(0) == 0:
            return True
    return False


def _decode(chunks: Iterable[bytes], name: str, errors: str, encoding: str = "utf-8") -> Iterator[str]:
    """Decode incrementally (a character may straddle two chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    position = 0  # bytes handed to the decoder so far
    for data in chunks:
        yield _decode_step(decoder, data, position, name, encoding, final=False)
        position += len(data)
    yield _decode_step(decoder, b"", position, name, encoding, final=True)


def _decode_step(decoder, data: bytes, position: int, name: str, encoding: str, final: bool) -> str:
    held = len(decoder.getstate()[0])  # bytes of an unfinished character kept from before
    try:
        return decoder.decode(data, final)
    except UnicodeDecodeError as exc:
        # exc.start counts from the held bytes, which begin `held` bytes before `data`.
        offset = position - held + exc.start
        raise InputError(f"{name}: not valid {encoding.upper()} at byte {offset} "
                         f"(use --errors replace to read it anyway)") from None


def _split_lines(texts: Iterable[str]) -> Iterator[str]:
    pending = ""
    for text in texts:
        # What is pending holds no line end, except perhaps a final "\r": scan from there.
        scan_from = max(len(pending) - 1, 0)
        pending += text
        start = 0
        for match in LINE_END.finditer(pending, scan_from):
            if match.end() == len(pending) and match.group() == "\r":
                break  # maybe the first half of a "\r\n" whose "\n" is in the next chunk
            yield pending[start:match.end()]
            start = match.end()
        pending = pending[start:]
        while len(pending) > MAX_LINE_CHARS:
            cut = _cut_point(pending)
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


def _cut_point(text: str) -> int:
    """Where to cut an over-long line: just after its last whitespace within the limit
    (so no word is split), else at the limit.  A trailing "\\r" is never inside the
    window, because the text is longer than the limit."""
    match = _LAST_SPACE.search(text, 0, MAX_LINE_CHARS)
    return match.end() if match else MAX_LINE_CHARS


# Paths through which a process reaches its open files (/dev/stdout -> /proc/self/fd/1):
# what they lead to is someone's stream, written through even when it is a regular file.
_STREAM_ROOTS = ("/proc/", "/dev/fd/", "/dev/stdout", "/dev/stderr")


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """Where output for `target` goes: the one place that decides how an output path is
    written, so nothing at it that is not a regular file is ever replaced.

    * a regular file or a new path: a temporary file next to it, renamed over it only
      once everything has been written, so an error or ^C never leaves a half-written
      output (and OUT may safely be one of the inputs); the file keeps its permissions
      (and, as root, its owner);
    * a symbolic link: the same for the file it points to (a missing one is created),
      and the link stays a link;
    * anything else (/dev/null, a FIFO, a terminal, a character device), and whatever
      /dev/stdout, /dev/fd/N or /proc/PID/fd/N lead to: written through, in append mode
      (a file the shell opened keeps what was written to it before); a reader gets the
      data as it comes, and an error leaves what was written so far;
    * a directory: ``IsADirectoryError``.
    """
    target = Path(target)
    if _write_through(target):
        with open(target, "ab") as out:
            yield out
        return
    real = Path(os.path.realpath(target))  # a symlink's file, the path itself otherwise
    if real.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    try:
        fd, temp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:  # name the output the user gave, not our temporary file
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        _copy_ownership(real, temp)
        os.replace(temp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_through(target: Path) -> bool:
    """Whether an output path must be written in place rather than replaced: it exists
    and is neither a regular file nor a directory (after following links), or it leads
    through a process's file descriptors."""
    try:
        mode = target.stat().st_mode
    except OSError:  # nothing there (or a dangling link): a new file
        return False
    if stat.S_ISDIR(mode):
        return False
    return not stat.S_ISREG(mode) or _through_stream(target)


def _through_stream(target: Path) -> bool:
    """Whether the path, or a link on the way to what it names, is one of a process's
    file descriptors (/dev/stdout, /dev/fd/N, /proc/PID/fd/N)."""
    path = os.path.abspath(target)
    for _ in range(40):  # the kernel's own limit on links followed
        here = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if path.startswith(_STREAM_ROOTS) or here.startswith(_STREAM_ROOTS):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.abspath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return False


def _copy_ownership(target: Path, temp: str) -> None:
    """Give the replacement the existing file's permissions (mkstemp makes it private,
    0600) and, when we may, its owner; a new file gets the usual umask default."""
    try:
        info = target.stat()
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        return
    if hasattr(os, "chown") and os.geteuid() == 0 and (info.st_uid, info.st_gid) != (0, 0):
        with contextlib.suppress(OSError):
            os.chown(temp, info.st_uid, info.st_gid)
    os.chmod(temp, info.st_mode & 0o7777)
