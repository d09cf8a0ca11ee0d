"""Cutting text into blocks: pieces of about ``BLOCK_CHARS`` that are decoded at a time,
so that memory stays flat however long the input is.

A cut is made where no sentence spans it (a line break before a line that does not
continue the sentence, a sentence end, any whitespace), so cutting never changes a
word's context.  ``restore`` cuts a text (``of_text``) where ``restore_lines`` cuts the
same text's lines (``of_lines``), so both give every word the same document memory.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import regex

BLOCK_CHARS = 32_000  # text decoded per batch; bounds memory on any input size (the document
#                       memory's arrays peak at about 250 bytes a character of a block)

_CONTINUES = regex.compile(r"[^\S\r\n]*\p{Ll}")
# Block cut points, best first: a line break before a line that does not continue the
# sentence, a sentence end, any whitespace.
_CUTS = tuple(regex.compile(p) for p in (r"\n(?![^\S\r\n]*\p{Ll})", r"[.!?…]\s", r"\s"))


def of_lines(lines: Iterable[str]) -> Iterator[list[str]]:
    """Join lines into blocks of about BLOCK_CHARS that end where a sentence cannot
    continue (a blank line, or before a line that does not start with a lower-case
    word), so that cutting the input into blocks never cuts a sentence's context."""
    pending: list[str] = []
    size = 0
    for line in lines:
        if pending and size >= BLOCK_CHARS and not _continues(line):
            yield pending
            pending, size = [], 0
        pending.append(line)
        size += len(line)
        if size >= 4 * BLOCK_CHARS:  # one paragraph with no break: cut anyway
            yield pending
            pending, size = [], 0
    if pending:
        yield pending


def _continues(line: str) -> bool:
    return _CONTINUES.match(line) is not None


def of_text(text: str) -> Iterator[tuple[int, str]]:
    """Split text into pieces of about BLOCK_CHARS that concatenate back to it, cut
    where ``restore_lines`` cuts the same text's lines (``of_lines``), so that both
    give every word the same document memory; a piece that is one paragraph of more
    than 4 x BLOCK_CHARS with no line break to cut at is cut inside (``_cut_long``)."""
    offset = 0
    for items in of_lines(text.splitlines(keepends=True)):
        block = "".join(items)
        if len(block) > 4 * BLOCK_CHARS:
            yield from ((offset + start, piece) for start, piece in _cut_long(block))
        else:
            yield offset, block
        offset += len(block)
    if not text:
        yield 0, text


def _cut_long(text: str) -> Iterator[tuple[int, str]]:
    """Split one long paragraph into pieces of about BLOCK_CHARS.

    A cut is made where no sentence spans it if possible: the first line break before a
    line that does not continue the sentence between half and twice BLOCK_CHARS, else a
    sentence end there, else any whitespace there, else the next whitespace however far
    (a cut inside a token would change how it is read)."""
    start = 0
    n = len(text)
    while n - start > BLOCK_CHARS:
        low, high = start + BLOCK_CHARS // 2, min(n, start + 2 * BLOCK_CHARS)
        for pattern in _CUTS:
            match = pattern.search(text, low, high)
            if match:
                break
        else:
            match = _CUTS[-1].search(text, high)
        if match is None:
            break
        yield start, text[start:match.end()]
        start = match.end()
    if start < n or n == 0:
        yield start, text[start:]
