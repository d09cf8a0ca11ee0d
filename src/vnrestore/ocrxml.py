"""Restore the text of OCR layout files (hOCR, ALTO XML) in place.

Input is parsed with the standard library's expat parser, which reports the byte offset
of every event; the output is the input bytes with only the words' text replaced at the
offsets the parser gave (for hOCR the character data of each ``ocrx_word`` element, for
ALTO the ``CONTENT`` attribute of each ``String``).  So geometry, ids, attributes, the
DOCTYPE, quoting, whitespace and comments stay byte for byte as they were, and a file
in which no word changes comes out identical.  (Re-serialising a parsed tree, as
ElementTree or lxml would, normalises quotes and declarations and loses that.)

Context: the words of one block (hOCR ``ocr_par``, ALTO ``TextBlock``; without blocks,
the page or the whole file) are restored together as one text, a line per line, words
joined by spaces, through ``Restorer.explain_many``; each word box gets the output of
its own span.  Restoration never moves text from one box to another: candidates are
single syllables, and OCR mode's joining of touching pieces (``hi¢n``) happens inside
one box.  So no box is joined or split and every bounding box stays right for its text;
only the characters inside a box change (``D6i`` -> ``Đối``).
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Callable

from . import many
from .errors import InputError

FORMATS = ("hocr", "alto")
SUFFIXES = (".hocr", ".xml", ".html", ".xhtml", ".htm")  # file names looked into for hOCR / ALTO
_HOCR_BLOCKS = ("ocr_par", "ocr_carea", "ocr_page")  # nearest one groups a block's lines
_HOCR_LINES = ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption", "ocrx_line")
_ALTO_BLOCKS = ("TextBlock", "Page")


@dataclass
class _Word:
    text: str
    line: int   # index of its line (words of one line are consecutive)
    block: int  # index of its block
    # Where the text sits in the input bytes: (start, end) of each character-data run
    # (hOCR), or of the CONTENT attribute's value (ALTO); `quote` is that value's quote.
    runs: list[tuple[int, int]] = field(default_factory=list)
    quote: str = ""
    editable: bool = True


class _Reader:
    """Collects the words of an hOCR or ALTO document with their byte positions."""

    def __init__(self, data: bytes, fmt: str):
        self.data, self.fmt = data, fmt
        self.words: list[_Word] = []
        self.stack: list[tuple[str, str]] = []  # (local name, role: block/line/word/"")
        self.blocks = self.lines = 0
        self.word: _Word | None = None
        self.run_start: int | None = None
        self.run_text = ""
        self.parser = xml.parsers.expat.ParserCreate("UTF-8")
        p = self.parser
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        p.CharacterDataHandler = self.chars
        p.CommentHandler = p.ProcessingInstructionHandler = lambda *a: self.markup()
        p.StartCdataSectionHandler = p.EndCdataSectionHandler = self.cdata

    def read(self, name: str) -> list[_Word]:
        try:
            self.parser.Parse(self.data, True)
        except xml.parsers.expat.ExpatError as exc:
            raise InputError(f"{name}: not well-formed XML ({exc})") from None
        return self.words

    def role(self, local: str, attrs: dict[str, str]) -> str:
        if self.fmt == "alto":
            if local == "String":
                return "word"
            return "line" if local == "TextLine" else "block" if local in _ALTO_BLOCKS else ""
        classes = attrs.get("class", "").split()
        if "ocrx_word" in classes:
            return "word"
        if any(c in _HOCR_LINES for c in classes):
            return "line"
        return "block" if any(c in _HOCR_BLOCKS for c in classes) else ""

    def markup(self) -> None:
        """A markup event: the character-data run before it (if any) ends here."""
        if self.run_start is not None and self.word is not None and self.run_text.strip():
            self.word.runs.append((self.run_start, self.parser.CurrentByteIndex))
            self.word.text += self.run_text
        self.run_start, self.run_text = None, ""

    def cdata(self) -> None:
        self.markup()
        if self.word is not None:
            self.word.editable = False  # text in CDATA: left as it is

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.markup()
        local = name.rpartition(":")[2]
        role = self.role(local, attrs)
        if role == "block":
            self.blocks += 1
        elif role == "line":
            self.lines += 1
        elif role == "word" and self.word is None:
            word = _Word("", self.lines, self.blocks)
            if self.fmt == "alto":
                word.text = attrs.get("CONTENT", "")
                span = _attribute_value(self.data, self.parser.CurrentByteIndex, "CONTENT")
                if span is None:
                    word.editable = False
                else:
                    word.runs, word.quote = [span[:2]], span[2]
            self.word = word
            self.words.append(word)
        self.stack.append((local, role))

    def end(self, name: str) -> None:
        self.markup()
        _, role = self.stack.pop()
        if role == "word" and self.word is not None and "word" not in (r for _, r in self.stack):
            self.word = None
        elif role == "line":
            self.lines += 1  # words after a line's end belong to no line of it
        elif role == "block":
            self.blocks += 1

    def chars(self, text: str) -> None:
        if self.word is not None and self.fmt == "hocr":
            if self.run_start is None:
                self.run_start = self.parser.CurrentByteIndex
            self.run_text += text


def _attribute_value(data: bytes, start: int, wanted: str) -> tuple[int, int, str] | None:
    """Byte span and quote of attribute `wanted`'s value in the start tag at `start`.

    The parser gives where a tag starts but not where its attributes are; this walks
    the tag by the XML grammar (name, then name = quoted value pairs; a value holds no
    quote of its own kind), so a '>' or '=' inside a value cannot mislead it."""
    i, n = start + 1, len(data)
    while i < n and data[i] not in b" \t\r\n/>":
        i += 1
    while i < n:
        while i < n and data[i] in b" \t\r\n":
            i += 1
        if i >= n or data[i] in b"/>":
            return None
        name_start = i
        while i < n and data[i] not in b" \t\r\n=":
            i += 1
        name = data[name_start:i].decode("utf-8")
        while i < n and data[i] in b" \t\r\n=":
            i += 1
        if i >= n:
            return None
        quote = data[i:i + 1]
        end = data.find(quote, i + 1)
        if end < 0:
            return None
        if name == wanted:
            return i + 1, end, quote.decode()
        i = end + 1
    return None


def detect(data: bytes) -> str | None:
    """"alto" or "hocr" from the document's root element (and hOCR's ocr_page class)."""
    found: list[str] = []
    parser = xml.parsers.expat.ParserCreate("UTF-8")

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if not found:
            found.append("alto" if local == "alto" else "html" if local == "html" else "other")
        if found[0] == "html" and "ocr_page" in attrs.get("class", "").split():
            found.append("hocr")
            raise StopIteration

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except (StopIteration, xml.parsers.expat.ExpatError):
        pass
    if found[:1] == ["alto"]:
        return "alto"
    return "hocr" if "hocr" in found else None


def sniff_name(name: str) -> bool:
    """Whether a file of this name may be hOCR or ALTO (then ``detect`` decides)."""
    return name.lower().endswith(SUFFIXES)


def restore_document(data: bytes, fmt: str, restore: Callable[[list[str]], list[list]] | None,
                     name: str = "<input>") -> bytes:
    """The document with each word's text restored.

    `restore` takes the blocks' texts and returns their token choices
    (``Restorer.explain_many``); None leaves every word as it is (the output is then
    the input, byte for byte)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    words = _Reader(data, fmt).read(name)
    if restore is None or not words:
        return data
    blocks = _blocks(words)
    texts_spans = [_block_text(words, indices) for indices in blocks]
    choices = restore([text for text, _ in texts_spans])
    edits: list[tuple[int, int, bytes]] = []
    for indices, (text, spans), block_choices in zip(blocks, texts_spans, choices):
        for i, mine in zip(indices, many.cut_choices(text, block_choices, spans)):
            word, new = words[i], "".join(c.output for c in mine)
            if new != word.text and word.editable and word.runs:
                edits.extend(_edits(word, new))
    return _apply(data, edits)


def _blocks(words: list[_Word]) -> list[list[int]]:
    result: list[list[int]] = []
    last = None
    for i, word in enumerate(words):
        if word.block != last:
            result.append([])
            last = word.block
        result[-1].append(i)
    return result


def _block_text(words: list[_Word], indices: list[int]) -> tuple[str, list[many.Span]]:
    """A block's words as text (a line per line, words joined by a space) and each
    word's span in it."""
    parts: list[str] = []
    spans: list[many.Span] = []
    position = 0
    for k, i in enumerate(indices):
        if k:
            gap = "\n" if words[i].line != words[indices[k - 1]].line else " "
            parts.append(gap)
            position += 1
        parts.append(words[i].text)
        spans.append((position, position + len(words[i].text)))
        position += len(words[i].text)
    return "".join(parts), spans


def _edits(word: _Word, new: str) -> list[tuple[int, int, bytes]]:
    """Byte replacements writing `new` as the word's text: an attribute value escaped
    for its quote, or character data in the word's first run of text (later runs of a
    word split by inner markup such as <strong> are emptied; runs of whitespace only
    are layout and stay)."""
    from xml.sax.saxutils import escape  # here: it imports urllib.request (30 ms at every start-up)

    if word.quote:
        entities = {word.quote: "&quot;" if word.quote == '"' else "&apos;",
                    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
        start, end = word.runs[0]
        return [(start, end, escape(new, entities).encode("utf-8"))]
    first, *rest = word.runs
    return [(first[0], first[1], escape(new).encode("utf-8"))] + [(s, e, b"") for s, e in rest]


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out, position = [], 0
    for start, end, new in sorted(edits):
        out.append(data[position:start])
        out.append(new)
        position = end
    out.append(data[position:])
    return b"".join(out)
