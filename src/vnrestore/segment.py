"""From tokens to the language model's view: sentence segments of symbols.

The LM sees one symbol per content token: a syllable in lower case and canonical tone
placement, a punctuation character, or a class symbol for numbers, codes and foreign
words.  Context runs across a single line break when the next line continues the
sentence (it starts with a lower-case word: printed lines wrap mid-sentence), or when an
ALL-CAPS line is followed by another that starts ALL-CAPS (one heading cut over lines:
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT / NAM), and resets at sentence ends, blank lines and
line breaks before a new line that starts otherwise (headings, list items).  The model build and the runtime both use this module, so
training and decoding cut text the same way.
"""

from __future__ import annotations

import unicodedata

from .orthography import is_valid_syllable, normalize_syllable
from .tokenize import CODE, NEWLINE, NUMBER, PUNCT, SPACE, WORD, Token

BOS, EOS, UNK, NUM, CODE_SYM, PUNCT_SYM = "<s>", "</s>", "<unk>", "<num>", "<code>", "<punct>"
SPECIAL_SYMBOLS = (BOS, EOS, UNK, NUM, CODE_SYM, PUNCT_SYM)
# Punctuation the LM keeps as itself; anything rarer becomes <punct>.
PUNCTUATION = tuple(".,;:!?()[]\"'“”‘’-–—…/%&*+=<>«»")
_SENTENCE_END = frozenset(".!?…")
BULLETS = frozenset("-–—+•*")


def symbol(token: Token) -> str:
    """The LM symbol of a token whose form is fixed (not being restored)."""
    kind = token.kind
    if kind == WORD:
        lower = token.text.lower()
        if not lower.isascii():  # NFD input: compose, so "Chủ" is chủ whatever its form
            lower = unicodedata.normalize("NFC", lower)
        if is_valid_syllable(lower):
            return normalize_syllable(lower)
        return UNK
    if kind == NUMBER:
        return NUM
    if kind == CODE:
        return CODE_SYM
    return token.text if token.text in PUNCTUATION else PUNCT_SYM


CAPITALIZED_MARK = "^"  # build-time prefix of a syllable written capitalized inside a sentence


def capitalized_inside(tokens: list[Token], seg: list[int], k: int) -> bool:
    """Whether the k-th token of a segment is a Title-case word that does not open its
    sentence or clause (the content token before it is a word, a number or a comma).
    Such words are mostly names, whose accents follow other odds than common words."""
    text = tokens[seg[k]].text
    if k == 0 or not (text[:1].isupper() and text[1:].islower()):
        return False
    before = tokens[seg[k - 1]]
    return before.kind in (WORD, NUMBER) or before.text == ","


def segments(tokens: list[Token], bullets: bool = False) -> list[list[int]]:
    """Group the indices of content tokens (not spaces or line breaks) into segments.

    `bullets` (the runtime's reading): a dash or bullet that opens a segment before a
    space is left out, so a list item's first word is scored as a sentence start.  The
    build keeps it: a line-opening dash in the corpus mostly opens a novel's dialogue
    (23,700 lines of the literature, against 15,300 list items in the legal texts), and
    kept, that dialogue stays behind the dash instead of in every sentence start
    (building without the dashes cost wiki 18 and news 12 syllables; README)."""
    result: list[list[int]] = []
    current: list[int] = []
    line_caps: bool | None = None  # the line's words so far are ALL-CAPS (None: no word yet)
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        kind = tok.kind
        if kind == SPACE:
            i += 1
            continue
        if kind == NEWLINE:
            breaks = 0
            j = i
            while j < n and tokens[j].kind in (SPACE, NEWLINE):
                breaks += tokens[j].kind == NEWLINE
                j += 1
            continues = (
                breaks == 1
                and j < n
                and tokens[j].kind == WORD
                and (tokens[j].text[:1].islower() or (line_caps is True and _all_caps(tokens[j].text)))
            )
            if not continues and current:
                result.append(current)
                current = []
            line_caps = None
            i = j
            continue
        if kind == WORD and line_caps is not False and not (len(tok.text) == 1 and tok.text.isupper()):
            line_caps = _all_caps(tok.text)  # a lone capital (XÃ ĐÔNG HƯNG A) neither makes nor breaks one
        if bullets and not current and kind == PUNCT and tok.text in BULLETS and i + 1 < n and tokens[i + 1].kind == SPACE:
            i += 1  # layout, not language: the item opens its sentence as any other
            continue
        current.append(i)
        if kind == PUNCT and tok.text in _SENTENCE_END:
            following = tokens[i + 1].kind if i + 1 < n else SPACE
            if following in (SPACE, NEWLINE):
                result.append(current)
                current = []
        i += 1
    if current:
        result.append(current)
    return result


def _all_caps(text: str) -> bool:
    """An ALL-CAPS word of two letters or more (one capital letter is no heading: A, Đ)."""
    return len(text) > 1 and text.isupper()
