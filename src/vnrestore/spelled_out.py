"""Abbreviations a text spells out: VPDU -> VPĐU where the text writes "Văn phòng Đảng ủy".

An abbreviation typed without its Vietnamese letter (VPDU, KTDG, CDR) that the model's
table does not know stays as typed: no language model can tell D from Đ in it.  But a
document that uses an abbreviation mostly spells it out somewhere ("kiểm tra, đánh giá
(KTĐG)", a heading "VĂN PHÒNG ĐẢNG ỦY"), and once the decoder has restored those words
their initials say which D is a Đ.  So after decoding, such an abbreviation takes the
spelling its own text's restored words give it:

* a definition beside it decides: the words just before ``(KTDG)``, or those inside the
  brackets just after ``KTDG (...)``, one word a letter;
* else, for an abbreviation of three letters or more, the words anywhere in the same
  text, when all the word sequences whose initials fit it spell the same reading, with
  a Đ (a plain reading among them, and nothing changes).

Inside a spelled-out name, commas and dashes may stand between words (``Thi đua, khen
thưởng``: TĐKT) and "và" may be left out of the letters (``Giáo dục và Đào tạo``: GDĐT).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Callable, Mapping, Sequence

from .abbrev import is_abbreviation
from .casing import apply_case
from .orthography import is_valid_syllable, strip_accents
from .plan import ABBREVIATION, Plan
from .sources.lexicon import accented_lines
from .tokenize import NEWLINE, PUNCT, SPACE, WORD, Token

MIN_LETTERS = 3  # shorter abbreviations (ĐT, DT) need a definition: two initials match by chance
_JOINERS = frozenset({",", "-", "–", "—", "&"})  # may stand between the words of a name
_SKIPPABLE = "và"  # "Giáo dục và Đào tạo" is GDĐT


def wants_spelling(text: str) -> bool:
    """An abbreviation typed with a D and no Đ, whose D may be a Đ (VPDU, KTDG)."""
    return "D" in text and "Đ" not in text and text.isascii() and is_abbreviation(text)


def respell(plan: Plan, chosen: Mapping[int, int], symbols: Sequence[str], starts: Sequence[int] = ()) -> None:
    """After decoding: give the plan's abbreviations their text's spelling (as fixed
    outputs, with a note for ``explain``).  `chosen`: token index -> the decoder's word
    id for restored words, `symbols` their forms."""
    tokens, fixed = plan.tokens, plan.fixed
    targets = [i for i, tok in enumerate(tokens)
               if tok.kind == WORD and i not in fixed and i not in chosen and wants_spelling(tok.text)]
    if targets:  # an abbreviation on a line written with diacritics is meant as written (GDP)
        accented, line, k = accented_lines(tokens), 0, 0
        mine = []
        for i in targets:
            while k < i:
                line += tokens[k].kind == NEWLINE
                k += 1
            if line not in accented:
                mine.append(i)
        targets = mine
    if not targets:
        return

    def output_of(i: int) -> str:
        if i in fixed:
            return fixed[i]
        return apply_case(tokens[i].text, symbols[chosen[i]]) if i in chosen else tokens[i].text

    for i, (spelling, words) in spell_out(tokens, output_of, targets, starts).items():
        fixed[i], plan.source[i] = spelling, ABBREVIATION
        plan.detail[i] = f"{spelling}: spelled out in this text as '{words}'"


def spell_out(tokens: Sequence[Token], output_of: Callable[[int], str], targets: Sequence[int],
              starts: Sequence[int] = ()) -> dict[int, tuple[str, str]]:
    """Token index -> (new spelling, the words that spell it) for the `targets` (word
    tokens for which ``wants_spelling`` holds) whose text spells them out.
    `output_of(i)`: token i's restored text.  `starts`: the first token of each text
    after the first (``restore_many``): a text never reads another's words."""
    found: dict[int, tuple[str, str]] = {}
    bounds = [0, *starts, len(tokens)]
    remaining = sorted(targets)
    for low, high in zip(bounds, bounds[1:]):
        mine = [i for i in remaining if low <= i < high]
        if not mine:
            continue
        runs = _runs(tokens, output_of, low, high)
        everywhere = {text: _only_reading(runs, text) for text in {tokens[i].text for i in mine}}
        for i in mine:
            text = tokens[i].text
            site = _bracketed(tokens, i)
            reading = _defined(tokens, runs, i, text, site) if site else everywhere[text]
            if reading is not None and reading[0] != text:
                found[i] = reading
    return found


class _Run:
    """Consecutive syllables of one line, with only spaces, commas or dashes between them."""

    def __init__(self) -> None:
        self.indices: list[int] = []
        self.words: list[str] = []

    def letters(self, skip: bool) -> tuple[str, list[int]]:
        """The initials, and the position in the run of each (without "và" if `skip`)."""
        kept = [k for k, w in enumerate(self.words) if not (skip and w.lower() == _SKIPPABLE)]
        return "".join(_initial(self.words[k]) for k in kept), kept


def _runs(tokens: Sequence[Token], output_of: Callable[[int], str], low: int, high: int) -> list[_Run]:
    runs: list[_Run] = []
    run = _Run()
    for i in range(low, high):
        tok = tokens[i]
        if tok.kind == SPACE or (tok.kind == PUNCT and tok.text in _JOINERS):
            continue
        word = unicodedata.normalize("NFC", output_of(i)) if tok.kind == WORD else ""
        if word and is_valid_syllable(word.lower()):
            run.indices.append(i)
            run.words.append(word)
            continue
        if run.words:
            runs.append(run)
            run = _Run()
    if run.words:
        runs.append(run)
    return runs


def _initial(word: str) -> str:
    first = word[0].upper()
    return first if first == "Đ" else strip_accents(first)


def _fits(letters: str, abbreviation: str) -> bool:
    return all(a == b or (b == "D" and a == "Đ") for a, b in zip(letters, abbreviation))


def _windows(run: _Run, abbreviation: str):
    """(reading, first, last) of every stretch of the run, from its word `first` to its
    word `last`, whose initials fit the abbreviation."""
    n = len(abbreviation)
    seen = set()
    for skip in (False, True):
        letters, kept = run.letters(skip)
        for j in range(len(letters) - n + 1):
            stretch = (kept[j], kept[j + n - 1])
            if stretch not in seen and _fits(letters[j:j + n], abbreviation):
                seen.add(stretch)
                yield letters[j:j + n], *stretch


def _phrase(run: _Run, first: int, last: int) -> str:
    return " ".join(run.words[first:last + 1])


def _only_reading(runs: list[_Run], abbreviation: str) -> tuple[str, str] | None:
    """The reading every stretch of the text that fits the abbreviation gives, if they agree."""
    if len(abbreviation) < MIN_LETTERS:
        return None
    phrases = Counter((reading, _phrase(run, first, last))
                      for run in runs for reading, first, last in _windows(run, abbreviation))
    if len({reading for reading, _ in phrases}) != 1:
        return None
    # a name (capitalized) or words the text repeats, not three initials met by chance
    best = max(phrases, key=lambda p: (p[1][0].isupper(), phrases[p], p[1]))
    return best if best[1][0].isupper() or sum(phrases.values()) > 1 else None


def _bracketed(tokens: Sequence[Token], i: int) -> str | None:
    """Where the definition of the abbreviation at token i stands, if brackets say so:
    "before" for "words (ABBR)", "after" for "ABBR (words)"."""
    before, after = _neighbour(tokens, i, -1), _neighbour(tokens, i, 1)
    if after is not None and tokens[after].text == ")" and before is not None and tokens[before].text == "(":
        return "before"
    inside = _neighbour(tokens, after, 1) if after is not None and tokens[after].text == "(" else None
    return "after" if inside is not None and tokens[inside].kind == WORD else None


def _defined(tokens: Sequence[Token], runs: list[_Run], i: int, abbreviation: str,
             site: str) -> tuple[str, str] | None:
    """The reading the definition beside token i gives (None if its words do not fit
    the abbreviation: "Internet (DNS)" defines DNS, with no Đ)."""
    if site == "before":
        last = _neighbour(tokens, _neighbour(tokens, i, -1), -1)
        for run in runs:
            if run.indices[-1] == last:
                return _fitting(run, abbreviation, lambda first, end: end == len(run.words) - 1)
        return None
    first = _neighbour(tokens, _neighbour(tokens, i, 1), 1)
    for run in runs:
        close = _neighbour(tokens, run.indices[-1], 1)
        if run.indices[0] == first and close is not None and tokens[close].text == ")":
            return _fitting(run, abbreviation, lambda start, end: start == 0 and end == len(run.words) - 1)
    return None


def _fitting(run: _Run, abbreviation: str, where) -> tuple[str, str] | None:
    """The reading of the run's stretch that fits the abbreviation where `where` allows."""
    for reading, first, last in _windows(run, abbreviation):
        if where(first, last):
            return reading, _phrase(run, first, last)
    return None


def _neighbour(tokens: Sequence[Token], i: int, step: int) -> int | None:
    """The nearest token to i in direction `step` that is not a space, on the same line."""
    j = i + step
    while 0 <= j < len(tokens) and tokens[j].kind == SPACE:
        j += step
    return j if 0 <= j < len(tokens) else None
