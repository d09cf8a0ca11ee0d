"""Many texts through one decode: packing them into blocks and cutting results back.

Decoding is fastest over a big block (every segment of the block advances in lockstep,
see ``decode``), so ``Restorer.restore_many`` and ``restore_lines`` join their items
into blocks, restore each block once, and cut the output back at the items' spans.

Items must not influence each other.  Between two texts of ``restore_many`` goes a
blank line (``SEPARATOR``): the LM context resets there (see ``segment``), a line of
one text never shares the accented-line test with another, and OCR's word merging
never crosses a line break.  Lines of ``restore_lines`` are joined as they are (the
context of a document runs across lines), with a line break added after an item that
has none, so that every item stays one line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator, Sequence

SEPARATOR = "\n\n"  # between texts of restore_many: a paragraph break resets the context
Span = tuple[int, int]


def ends_line(text: str) -> bool:
    return text.endswith(("\n", "\r"))


def join(items: Sequence[str], separator: str | None) -> tuple[str, list[Span]]:
    """The block to restore and each item's span in it.

    `separator` goes after every item; None adds a line break only after an item that
    does not already end with one."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    for item in items:
        spans.append((position, position + len(item)))
        after = separator if separator is not None else ("" if ends_line(item) else "\n")
        parts.append(item)
        parts.append(after)
        position += len(item) + len(after)
    return "".join(parts), spans


def first_tokens(tokens: Sequence, spans: Sequence[Span]) -> list[int]:
    """The index of the first token of each span after the first (where a new text
    starts), in order: what ``memory.DocumentMemory`` keeps apart."""
    starts, k = [], 0
    for start, _ in spans[1:]:
        while k < len(tokens) and tokens[k].start < start:
            k += 1
        starts.append(k)
    return starts


def pack(texts: Sequence[str], indices: Iterable[int], max_chars: int,
         max_texts: int | None) -> Iterator[list[int]]:
    """Groups of text indices, in order, each at most `max_texts` texts and (unless one
    text alone is longer) about `max_chars` characters."""
    group: list[int] = []
    size = 0
    for i in indices:
        length = len(texts[i]) + len(SEPARATOR)
        if group and (size + length > max_chars or (max_texts is not None and len(group) >= max_texts)):
            yield group
            group, size = [], 0
        group.append(i)
        size += length
    if group:
        yield group


def overlapping(items: Sequence, spans: Sequence[Span]) -> Iterator[list[int]]:
    """For each span (in order, not overlapping), the indices of the items (tokens or
    choices with .start/.end, in order) that overlap it."""
    k, n = 0, len(items)
    for start, end in spans:
        while k < n and items[k].end <= start:
            k += 1
        j = k
        while j < n and items[j].start < end:
            j += 1
        yield list(range(k, j))


def cut_outputs(block: str, tokens, outputs: dict[int, str], spans: Sequence[Span]) -> list[str]:
    """The rendered output of each span: replaced tokens (words, which never cross a
    span's end because every span ends at a line break) give their output, the others
    the part of their input text inside the span (a "\\r" + "\\n" or a run of spaces can
    straddle two items)."""
    result: list[str] = []
    for (start, end), indices in zip(spans, overlapping(tokens, spans)):
        parts: list[str] = []
        for j in indices:
            tok = tokens[j]
            out = outputs.get(j)
            if out is not None and tok.start >= start and tok.end <= end:
                parts.append(out)
            else:
                parts.append(block[max(tok.start, start): min(tok.end, end)])
        result.append("".join(parts))
    return result


def cut_choices(block: str, choices: Sequence, spans: Sequence[Span]) -> list[list]:
    """Each span's token choices (``TokenChoice``), with offsets from the span's start;
    a token straddling a span's edge (spacing only) is clipped to it."""
    result: list[list] = []
    for (start, end), indices in zip(spans, overlapping(choices, spans)):
        mine = []
        for j in indices:
            c = choices[j]
            if c.start < start or c.end > end:
                s, e = max(c.start, start), min(c.end, end)
                c = replace(c, start=s, end=e, input=block[s:e], output=block[s:e])
            mine.append(replace(c, start=c.start - start, end=c.end - start))
        result.append(mine)
    return result
