"""Lossless tokenizer: every character of the input belongs to exactly one token.

A token is a span ``text[start:end]`` with a kind.  Concatenating the tokens in order
gives back the input, so ``render`` can write restored words into their spans and copy
everything else through unchanged.

One pattern does the work.  Letters, digits and the connectors that hold codes together
(``6217/SNV-XDCQ&CTTN``, ``33/CT-TTg``, ``1.000.000``) are first taken as one *chunk*;
a chunk with a digit or a slash is a number or a code and is never touched; any other
chunk ("Ba-Ria", "U.S") is split again into words and punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import regex

WORD = "word"
NUMBER = "number"
CODE = "code"  # document codes, alphanumerics, URLs and e-mail addresses
PUNCT = "punct"
SPACE = "space"
NEWLINE = "newline"

_ALNUM = r"[\p{L}\p{M}\p{N}]"
_PATTERN = regex.compile(
    rf"""
    (?P<url>(?i:https?://|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'])
  | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<chunk>{_ALNUM}+(?:[/&\-_.:,'’]{_ALNUM}+)*)
  | (?P<newline>\r\n|\r|\n|\u2028|\u2029)
  | (?P<space>[^\S\r\n\u2028\u2029]+)
  | (?P<punct>.)
    """,
    regex.VERBOSE | regex.DOTALL,
)
# Inside a chunk without digits: words (letters with their combining marks) and the
# single connector characters between them.
_WORD_SPLIT = regex.compile(r"[\p{L}\p{M}]+|.", regex.DOTALL)
_HAS_DIGIT = regex.compile(r"\p{N}")
_NUMBER = regex.compile(r"\p{N}+(?:[.,:/\-]\p{N}+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """One span of the input: ``text == source[start:end]``."""

    start: int
    end: int
    kind: str
    text: str


def tokenize(text: str, offset: int = 0) -> Iterator[Token]:
    """Yield the tokens of `text` in order; spans are shifted by `offset`."""
    for match in _PATTERN.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        piece = match.group()
        if kind == "chunk":
            if piece.isalpha():  # the common case first: letters only cannot be a code
                kind = WORD
            elif _HAS_DIGIT.search(piece) or "/" in piece or "&" in piece:
                kind = NUMBER if _NUMBER.fullmatch(piece) else CODE
            elif _is_marked_word(piece):
                kind = WORD
            else:
                for sub in _WORD_SPLIT.finditer(piece):
                    s, e = sub.span()
                    sub_kind = WORD if sub.group()[0].isalpha() or len(sub.group()) > 1 else PUNCT
                    yield Token(offset + start + s, offset + start + e, sub_kind, sub.group())
                continue
        elif kind in ("url", "email"):
            kind = CODE
        yield Token(offset + start, offset + end, kind, piece)


def _is_marked_word(piece: str) -> bool:
    """Letters with combining marks (NFD input) are one word too."""
    return regex.fullmatch(r"[\p{L}\p{M}]+", piece) is not None


def render(tokens, replacements: dict[int, str] | None = None) -> str:
    """Concatenate token texts, using ``replacements[i]`` for token i where given."""
    if not replacements:
        return "".join(t.text for t in tokens)
    return "".join(replacements.get(i, t.text) for i, t in enumerate(tokens))


def neighbour(tokens: Sequence[Token], i: int, step: int) -> int | None:
    """The nearest token to i in direction `step` (-1 or 1) that is not a space."""
    j = i + step
    while 0 <= j < len(tokens) and tokens[j].kind == SPACE:
        j += step
    return j if 0 <= j < len(tokens) else None
