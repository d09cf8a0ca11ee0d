"""Abbreviations in the build: what each stands for, and which need a Vietnamese letter.

The language model reads a known abbreviation as what it stands for, so "UBND tỉnh" is
scored like "ủy ban nhân dân tỉnh" (the corpus spells it out 30 times as often as it
abbreviates it).  The build replaces each abbreviation of the corpus by its expansion
before counting, and writes the table to the model (``expansions.tsv``) so that the
runtime reads text the same way.

Where an expansion comes from, and the rule for ambiguous ones (TT = thông tư, trung
tâm, thị trấn ...): an abbreviation is expanded only when one reading dominates.

* the corpus: a spelled-out form followed by the abbreviation in parentheses, one
  syllable per letter with matching initials ("Ủy ban nhân dân (UBND)", "kiểm tra đánh
  giá (KTĐG)"); its commonest reading is taken when it has at least ``MIN_PAIRS``
  attestations and at least ``DOMINANT_SHARE`` of the abbreviation's;
* else the abbreviation list, when it gives exactly one reading and that reading's
  initials spell the abbreviation (which also drops typos such as a doubled syllable).

Abbreviations with a Vietnamese letter (HĐND) lose it when typed without diacritics, and
no language model can tell HDND from HĐND: ``abbreviations.tsv`` maps the plain spelling
back, from the list (3 letters or more, unambiguous, not listed as it is) and from the
corpus (an all-caps non-syllable word with Đ seen at least ``MIN_ATTESTED`` times, more
often than its plain spelling, and the only such form of that spelling).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterator, Mapping

import regex

from .errors import InputError
from .orthography import is_valid_syllable, normalize_syllable, strip_accents
from .tokenize import CODE, WORD, Token

MIN_PAIRS = 3
DOMINANT_SHARE = 0.75
MIN_ATTESTED = 5
LIST, CORPUS = "list", "corpus"  # where an entry of a table comes from


def is_abbreviation(word: str) -> bool:
    """An all-caps word of two letters or more that is not a syllable (UBND, HĐND)."""
    return len(word) >= 2 and word.isalpha() and word.isupper() and not is_valid_syllable(word.lower())


def initial(syllable: str) -> str:
    """The letter a syllable gives an abbreviation: its first, upper case, accents gone, Đ kept."""
    first = syllable[:1].upper()
    return first if first == "Đ" else strip_accents(first)


def spells(abbreviation: str, syllables: list[str]) -> bool:
    """Whether the syllables' initials spell the abbreviation, one letter each (Đ is its
    own letter: HĐND is hội đồng nhân dân, HDND is not)."""
    return len(syllables) == len(abbreviation) and all(
        initial(s) == letter for s, letter in zip(syllables, abbreviation))


def _symbols(expansion: str) -> list[str] | None:
    words = unicodedata.normalize("NFC", expansion.strip().lower()).split()
    if not words or not all(is_valid_syllable(w) for w in words):
        return None
    return [normalize_syllable(w) for w in words]


def read_list(path: Path) -> tuple[dict[str, list[list[str]]], set[str]]:
    """An ``ABBR:expansion[,expansion...]`` list: the readings of each all-caps
    abbreviation (as LM symbols), and every spelling listed."""
    readings: dict[str, list[list[str]]] = {}
    listed: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        abbr, sep, expansions = line.partition(":")
        if not sep:
            raise InputError(f"{path}:{number}: expected 'ABBREVIATION:expansion'")
        abbr = unicodedata.normalize("NFC", abbr.strip())
        listed.add(abbr)
        if not is_abbreviation(abbr):
            continue
        for expansion in expansions.split(","):
            symbols = _symbols(expansion)
            if symbols is not None and symbols not in readings.setdefault(abbr, []):
                readings[abbr].append(symbols)
    return readings, listed


def letter_table(path: Path) -> dict[str, str]:
    """The list's abbreviations with a Vietnamese letter, by their plain spelling (3
    letters or more: two-letter ones are too often something else); spellings that are
    ambiguous (two abbreviations, or one listed as is) are left out."""
    _, listed = read_list(path)
    by_plain: dict[str, set[str]] = {}
    for abbr in listed:
        if len(abbr) >= 3 and abbr.isupper() and abbr.isalpha() and not abbr.isascii():
            by_plain.setdefault(strip_accents(abbr), set()).add(abbr)
    return {plain: next(iter(forms)) for plain, forms in sorted(by_plain.items())
            if len(forms) == 1 and plain not in listed}


def pairs_in(tokens: list[Token], seg: list[int]) -> list[tuple[str, str]]:
    """(abbreviation, spelled-out form) for each "spelled out (ABBR)" in a segment."""
    found = []
    for k in range(1, len(seg) - 2):
        if tokens[seg[k]].text != "(":
            continue
        word, closing = tokens[seg[k + 1]], tokens[seg[k + 2]]
        if closing.text != ")" or word.kind != WORD or not is_abbreviation(word.text):
            continue
        n = len(word.text)
        before = [tokens[i] for i in seg[max(0, k - n):k]]
        if len(before) == n and all(t.kind == WORD for t in before):
            syllables = _symbols(" ".join(t.text for t in before))
            if syllables is not None and spells(word.text, syllables):
                found.append((word.text, " ".join(syllables)))
    return found


def choose_expansions(pairs: Counter, listed: dict[str, list[list[str]]]) -> dict[str, tuple[str, str]]:
    """Abbreviation -> (expansion, where from), by the rule in the module docstring."""
    by_abbr: dict[str, Counter] = {}
    for (abbr, expansion), n in pairs.items():
        by_abbr.setdefault(abbr, Counter())[expansion] = n
    chosen: dict[str, tuple[str, str]] = {}
    for abbr, readings in listed.items():
        if len(readings) == 1 and spells(abbr, readings[0]):
            chosen[abbr] = (" ".join(readings[0]), LIST)
    for abbr, counts in by_abbr.items():
        best, n = min(counts.items(), key=lambda e: (-e[1], e[0]))
        if n >= MIN_PAIRS and n >= DOMINANT_SHARE * sum(counts.values()):
            chosen[abbr] = (best, CORPUS)
    return dict(sorted(chosen.items()))


def _toneless(word: str) -> bool:
    """No tone mark: abbreviations take the letters of initials (Đ, Ư), never tones, so
    an all-caps word with one is text run together (CÔNGTẠI), not an abbreviation."""
    return not any(unicodedata.combining(ch) and ch not in _LETTER_MARKS
                   for ch in unicodedata.normalize("NFD", word))


_LETTER_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: parts of letters (Â Ă Ư), not tones


def attested_letters(word_counts: dict[str, int]) -> dict[str, str]:
    """Plain spelling -> abbreviation with Đ, for those the corpus itself writes often
    (counts of the corpus' non-syllable words, as written)."""
    by_plain: dict[str, list[str]] = {}
    for word, n in word_counts.items():
        if (n >= MIN_ATTESTED and not word.isascii() and len(word) >= 3 and is_abbreviation(word)
                and _toneless(word)):
            plain = strip_accents(word)
            if plain.isascii():
                by_plain.setdefault(plain, []).append(word)
    return {plain: forms[0] for plain, forms in sorted(by_plain.items())
            if len(forms) == 1 and word_counts[forms[0]] > word_counts.get(plain, 0)}


# -- letters inside document codes ---------------------------------------------------
# In codes the same two letters are far less ambiguous than as words: the corpus writes
# "88/2024/NĐ-CP" 84,731 times and "ND" inside a code 32 times, while ND alone is also
# "nhân dân".  So codes get their own table (``code-letters.tsv``), from the letter
# parts of the corpus' codes: a plain spelling is respelled when one form with Đ was
# seen at least MIN_ATTESTED times in codes and makes at least CODE_SHARE of the
# spelling's uses there (its plain form included: DA is dự án as often as ĐA đề án).
CODE_SHARE = 0.9
_CODE_PART = regex.compile(r"[\p{L}\p{M}]+")


def code_parts(tokens: list[Token]) -> Iterator[str]:
    """The all-caps letter parts of the code tokens (NĐ and CP of 88/2024/NĐ-CP)."""
    for tok in tokens:
        if tok.kind == CODE:
            for part in _CODE_PART.findall(tok.text):
                if len(part) >= 2 and part.isupper():
                    yield part


def code_letters(part_counts: Mapping[str, int]) -> dict[str, tuple[str, int, int]]:
    """Plain spelling -> (form with Đ, its count in codes, the plain spelling's count),
    by the rule above."""
    spellings: dict[str, Counter] = {}
    for part, n in part_counts.items():
        plain = strip_accents(part)
        if plain.isascii() and len(plain) == len(part):
            spellings.setdefault(plain, Counter())[part] += n
    table = {}
    for plain, forms in sorted(spellings.items()):
        form, n = max(forms.items(), key=lambda e: (e[1], e[0]))
        if form != plain and _toneless(form) and n >= MIN_ATTESTED and n >= CODE_SHARE * sum(forms.values()):
            table[plain] = (form, n, forms.get(plain, 0))
    return table


# -- words after a slash: units ------------------------------------------------------
# After a slash a word is mostly a unit (đồng/năm, tấn/ha, người/phòng), which the LM
# knows badly: the corpus' slashes are inside codes, one <code> symbol.  The corpus'
# own compounds tell how each key is spelled there (ha 284 times, hạ 7).
CODE_UNITS = regex.compile(r"[\p{L}\p{M}]+|\p{N}+|.", regex.DOTALL)  # a code's letters, digits, connectors


def words_after_slash(tokens: list[Token]) -> Iterator[str]:
    """The lower-case words right after a slash inside the code tokens (năm of đồng/năm)."""
    for tok in tokens:
        if tok.kind == CODE and "/" in tok.text:
            units = CODE_UNITS.findall(tok.text)
            for k in range(2, len(units)):
                if units[k - 1] == "/" and units[k].isalpha() and units[k].islower():
                    yield units[k]
