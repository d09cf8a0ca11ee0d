"""Abbreviations a text spells out: VPDU -> VPĐU where the text writes "Văn phòng Đảng ủy".

An abbreviation typed without its Vietnamese letter (VPDU, KTDG, CDR) that the model's
table does not know stays as typed: no language model can tell D from Đ in it.  But a
document that uses an abbreviation mostly spells it out somewhere ("kiểm tra, đánh giá
(KTĐG)", a heading "VĂN PHÒNG ĐẢNG ỦY"), and once the decoder has restored those words
their initials say which D is a Đ.  So after decoding, such an abbreviation takes the
spelling its own text's restored words give it:

* a definition decides: the words just before ``(KTDG)``, or those inside the
  brackets just after ``KTDG (...)``, one word a letter; it holds for every use of the
  abbreviation in the text;
* else, for an abbreviation of three letters or more, the words anywhere in the same
  text, when all the word sequences whose initials fit it spell the same reading, with
  a Đ (a plain reading among them, and nothing changes), and one of them is a name (its
  first word capitalized, and another word too or the first inside a sentence) or, for four
  letters or more, repeated: initials met by chance (các chùm điện: CCĐ?, "quy định
  này quy định": ĐNQ?) are not a spelling.

The stretches are found in the text as written by one regular expression (the initials
of its words, D also standing for Đ), and only their words' restored forms are read: a
block without an all-caps word holding a D costs one regular-expression scan.

Inside a spelled-out name, commas and dashes may stand between words (``Thi đua, khen
thưởng``: TĐKT) and "và" may be left out of the letters (``Giáo dục và Đào tạo``: GDĐT).
"""

from __future__ import annotations

import bisect
import functools
import operator
import unicodedata
from collections import Counter
from typing import Callable, Mapping, Sequence

import regex

from .abbrev import initial, is_abbreviation
from .casing import apply_case
from .orthography import TONE_MARKS, VOWELS, is_valid_syllable
from .plan import ABBREVIATION, Plan
from .sources.lexicon import accented_lines
from .tokenize import NEWLINE, WORD, Token, neighbour

MIN_LETTERS = 3  # shorter abbreviations (ĐT, DT) need a definition: two initials match by chance
_JOINERS = frozenset({",", "-", "–", "—", "&"})  # may stand between the words of a name
_SKIPPABLE = "và"  # "Giáo dục và Đào tạo" is GDĐT
_CAPITALS_WITH_D = regex.compile(r"(?<!\w)[A-Z]*D[A-Z]*(?!\w)")  # where wants_spelling may hold
_TEXT, _START = operator.attrgetter("text"), operator.attrgetter("start")
_INSIDE = frozenset({",", "(", "“", '"', "'", "&"})  # what a word inside a sentence may follow


def wants_spelling(text: str) -> bool:
    """An abbreviation typed with a D and no Đ, whose D may be a Đ (VPDU, KTDG)."""
    return "D" in text and "Đ" not in text and text.isascii() and is_abbreviation(text)


def respell(plan: Plan, chosen: Mapping[int, int], symbols: Sequence[str], starts: Sequence[int] = ()) -> None:
    """After decoding: give the plan's abbreviations their text's spelling (as fixed
    outputs, with a note for ``explain``).  `chosen`: token index -> the decoder's word
    id for restored words, `symbols` their forms."""
    tokens, fixed = plan.tokens, plan.fixed
    text = "".join(map(_TEXT, tokens))
    hits = [m.start() for m in _CAPITALS_WITH_D.finditer(text)]  # most blocks have none: no word is looked at
    if not hits:
        return
    offsets = list(map(_START, tokens))
    at = [bisect.bisect_left(offsets, h) for h in hits]
    targets = [i for h, i in zip(hits, at) if i < len(tokens) and offsets[i] == h and tokens[i].kind == WORD
               and i not in fixed and i not in chosen and wants_spelling(tokens[i].text)]
    # an abbreviation on a line written with diacritics is meant as written (GDP)
    targets = [i for i in targets if not _on_accented_line(tokens, i)]
    if not targets:
        return

    def output_of(i: int) -> str:
        if i in fixed:
            return fixed[i]
        return apply_case(tokens[i].text, symbols[chosen[i]]) if i in chosen else tokens[i].text

    for i, (spelling, words) in spell_out(tokens, output_of, targets, starts, (text, offsets)).items():
        fixed[i], plan.source[i] = spelling, ABBREVIATION
        plan.detail[i] = f"{spelling}: spelled out in this text as '{words}'"


def spell_out(tokens: Sequence[Token], output_of: Callable[[int], str], targets: Sequence[int],
              starts: Sequence[int] = (), indexed: tuple[str, list[int]] | None = None
              ) -> dict[int, tuple[str, str]]:
    """Token index -> (new spelling, the words that spell it) for the `targets` (word
    tokens for which ``wants_spelling`` holds) whose text spells them out.
    `output_of(i)`: token i's restored text.  `starts`: the first token of each text
    after the first (``restore_many``): a text never reads another's words.  `indexed`:
    the tokens' text joined and each one's start, if the caller has them."""
    found: dict[int, tuple[str, str]] = {}
    bounds = [0, *starts, len(tokens)]
    remaining = sorted(targets)
    block = _Block(tokens, output_of, indexed)
    for low, high in zip(bounds, bounds[1:]):
        mine = [i for i in remaining if low <= i < high]
        sites = {i: _bracketed(tokens, i) for i in mine}
        # a definition gives the abbreviation's reading wherever else the text uses it
        defined: dict[str, tuple[str, str] | None] = {}
        for i in (i for i in mine if sites[i]):
            reading = _defined(block, i, tokens[i].text, sites[i])
            defined[tokens[i].text] = defined.get(tokens[i].text) or reading
            if reading is not None and reading[0] != tokens[i].text:
                found[i] = reading
        for i in (i for i in mine if not sites[i]):
            text = tokens[i].text
            if text not in defined and len(text) >= MIN_LETTERS:
                defined[text] = _only_reading(block, low, high, text)
            reading = defined.get(text)
            if reading is not None and reading[0] != text:
                found[i] = reading
    return found


def _on_accented_line(tokens: Sequence[Token], i: int) -> bool:
    """Whether token i stands on a line written with diacritics (``accented_lines``)."""
    start, end = _line_start(tokens, i), i
    while end < len(tokens) and tokens[end].kind != NEWLINE:
        end += 1
    return bool(accented_lines(list(tokens[start:end])))


class _Block:
    """The block's tokens and text, and the restored words of the stretches asked for.

    A stretch is found in the text as written, where the initials of the words are the
    abbreviation's letters with D for Đ too (one regular-expression search, in C), and
    then read in the restored words: their initials, with Đ, are the reading.  Only the
    words of the stretches found are looked at, not every word of the block."""

    def __init__(self, tokens: Sequence[Token], output_of: Callable[[int], str],
                 indexed: tuple[str, list[int]] | None = None):
        self.tokens = tokens
        self.output_of = output_of
        self.text, self.starts = indexed or ("".join(map(_TEXT, tokens)), list(map(_START, tokens)))

    def stretches(self, abbreviation: str, low: int, high: int, whole: bool = False, before: str = ""):
        """(reading, words, named) of each stretch of tokens low..high whose restored initials
        fit the abbreviation: all of low..high if `whole`; ending just before the
        pattern `before` if one is given."""
        begin = self.tokens[low].start if low < len(self.tokens) else len(self.text)
        end = self.tokens[high - 1].end if high > low else begin
        pattern = _input_pattern(abbreviation, whole, before)
        for match in pattern.finditer(self.text, begin, end, overlapped=True):
            words = [bisect.bisect_left(self.starts, match.start(g)) for g in range(1, len(abbreviation) + 1)]
            if all(self.starts[i] == match.start(g) and self.tokens[i].kind == WORD
                   for g, i in enumerate(words, start=1)):  # words, not letters inside a code (12/QD-UBND)
                found = self.reading(words, abbreviation)
                if found is not None:
                    yield *found, self.named(found[1], words[0])

    def reading(self, words: list[int], abbreviation: str) -> tuple[str, str] | None:
        """The reading of these word tokens, if they are restored syllables whose
        initials fit the abbreviation (a "và" between them left out of the letters)."""
        between = [i for i in range(words[0], words[-1] + 1) if self.tokens[i].kind == WORD]
        outputs = {i: unicodedata.normalize("NFC", self.output_of(i)) for i in between}
        if not all(_is_syllable(w.lower()) for w in outputs.values()):
            return None
        if len(between) > len(words) and any(outputs[i].lower() != _SKIPPABLE for i in between if i not in words):
            return None  # a word left out of the letters that the decoder did not read as "và"
        letters = "".join(_initial(outputs[i]) for i in words)
        if not all(a == b or (b == "D" and a == "Đ") for a, b in zip(letters, abbreviation)):
            return None
        return letters, " ".join(outputs.values())

    def named(self, phrase: str, first: int) -> bool:
        """Whether the stretch reads as a name: its first word capitalized, and another
        word too (Văn phòng Đảng ủy, PHÒNG ĐÀO TẠO) or the first inside a sentence (Hội
        đồng Thi đua, khen thưởng); a capital that opens a sentence says nothing, and a
        stretch that starts in lower case runs into a name from outside it (của công
        chức Địa chính: no CCCĐ)."""
        if not phrase[:1].isupper():
            return False
        if any(word[:1].isupper() for word in phrase.split(" ")[1:]):
            return True
        before = neighbour(self.tokens, first, -1)
        return before is not None and (self.tokens[before].kind == WORD or self.tokens[before].text in _INSIDE)


@functools.lru_cache(maxsize=1024)
def _input_pattern(abbreviation: str, whole: bool, before: str) -> regex.Pattern:
    """Words of one line whose first letters, as written, may be the abbreviation's
    (any case and accent; D also as đ), each a group, with spaces, commas or dashes
    between them and "và" maybe left out of the letters."""
    joiner = "[" + "".join(regex.escape(j) for j in sorted(_JOINERS)) + "]"
    sep = rf"(?:[^\S\n]*{joiner}[^\S\n]*|[^\S\n]+)"
    skip = rf"(?:(?:và|va|VÀ|VA|Và|Va){sep})?"
    words = [rf"({_letter_class(c)}\w*)" for c in abbreviation]
    body = (sep + skip).join(words)
    if whole:
        return regex.compile(rf"\G{body}[^\S\n]*\Z")
    return regex.compile(rf"(?<!\w){body}(?!\w){before}")


def _letter_class(letter: str) -> str:
    if letter == "D":
        return "[DdĐđ]"
    variants = {ch for lower in _VIETNAMESE_LETTERS for ch in (lower, lower.upper()) if _initial_letter(ch) == letter}
    variants |= {letter, letter.lower()}
    return "[" + "".join(sorted(variants)) + "]"


_VIETNAMESE_LETTERS = frozenset(unicodedata.normalize("NFC", v + mark) for v in VOWELS
                                for mark in ("", *TONE_MARKS)) | {"đ"}
_is_syllable = functools.lru_cache(maxsize=65_536)(is_valid_syllable)


_initial_letter = functools.lru_cache(maxsize=None)(initial)  # of one letter: a few dozen ever


def _initial(word: str) -> str:
    return _initial_letter(word[:1])


def _only_reading(block: _Block, low: int, high: int, abbreviation: str) -> tuple[str, str] | None:
    """The reading every stretch of tokens low..high that fits the abbreviation gives,
    if they agree (``spell_out`` asks this of abbreviations of MIN_LETTERS or more)."""
    found = list(block.stretches(abbreviation, low, high))
    if len({reading for reading, _, _ in found}) != 1:
        return None
    # a name, or words the text repeats (in any case), not initials met by chance
    # ("các chùm điện", "của chùm điện", "chúng có độ" are no CCĐ)
    repeats = Counter(words.lower() for _, words, _ in found)
    reading, words, named = max(found, key=lambda f: (f[2], repeats[f[1].lower()], f[1]))
    repeated = repeats[words.lower()] > 1 and len(abbreviation) > MIN_LETTERS  # three letters: "định này quy"
    return (reading, words) if named or repeated else None


def _bracketed(tokens: Sequence[Token], i: int) -> str | None:
    """Where the definition of the abbreviation at token i stands, if brackets say so:
    "before" for "words (ABBR)", "after" for "ABBR (words)"."""
    before, after = neighbour(tokens, i, -1), neighbour(tokens, i, 1)
    if after is not None and tokens[after].text == ")" and before is not None and tokens[before].text == "(":
        return "before"
    inside = neighbour(tokens, after, 1) if after is not None and tokens[after].text == "(" else None
    return "after" if inside is not None and tokens[inside].kind == WORD else None


def _defined(block: _Block, i: int, abbreviation: str, site: str) -> tuple[str, str] | None:
    """The reading the definition beside token i gives (None if its words do not fit
    the abbreviation: "Internet (DNS)" defines DNS, with no Đ)."""
    tokens = block.tokens
    if site == "before":  # the stretch ends at the "(" before the abbreviation
        opening = neighbour(tokens, i, -1)
        line = _line_start(tokens, opening)
        found = list(block.stretches(abbreviation, line, opening + 1, before=r"[^\S\n]*(?=\()"))
        return found[-1][:2] if found else None
    opening = neighbour(tokens, i, 1)  # "ABBR (" : the stretch fills the brackets
    first = neighbour(tokens, opening, 1)
    close = first
    while close is not None and close < len(tokens) and tokens[close].text != ")" and tokens[close].kind != NEWLINE:
        close += 1
    if close is None or close >= len(tokens) or tokens[close].text != ")":
        return None
    found = list(block.stretches(abbreviation, first, close, whole=True))
    return found[0][:2] if found else None


def _line_start(tokens: Sequence[Token], i: int) -> int:
    while i > 0 and tokens[i - 1].kind != NEWLINE:
        i -= 1
    return i
