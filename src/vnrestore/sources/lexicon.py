"""Accent-stripped words -> the accented syllables they can stand for.

Candidates come from the model's lexicon (most frequent first, at most `limit`) plus the
user lexicon's extras.  On a line written with diacritics a plain word that is a valid
syllable (cho, la, anh) was most likely meant as written, so it is kept.  Words already
accented are kept when they are valid syllables; anything else is unknown.
"""

from __future__ import annotations

import unicodedata
from typing import Mapping

from ..abbrev import is_abbreviation
from ..candidates import Lexicon
from ..orthography import has_accents, is_valid_syllable, key
from ..plan import KEPT, RESTORED, UNKNOWN, Plan
from ..tokenize import NEWLINE, SPACE, WORD, Token

_ACCENTED_LINE_SHARE = 0.5


class UserLexicon:
    """The user lexicon seen from a model: a score bonus per word id, extra candidates
    (a favoured syllable known only from the fallback inventory, never seen in the
    corpus, is not normally offered), and the forms the model cannot produce."""

    def __init__(self, lexicon: Lexicon, favoured: Mapping[str, float]):
        self.unknown_forms = sorted(f for f in favoured if lexicon.id(f) is None)
        self.bonus = {lexicon.id(f): b for f, b in favoured.items() if lexicon.id(f) is not None}
        self.extra: dict[str, tuple[int, ...]] = {}
        for word_id in self.bonus:
            word_key = key(lexicon.symbols[word_id])
            if word_id not in lexicon.candidates(word_key):
                self.extra[word_key] = self.extra.get(word_key, ()) + (word_id,)


class LexiconSource:
    def __init__(self, lexicon: Lexicon, limit: int, extra: Mapping[str, tuple[int, ...]],
                 prescribed_hang: bool = False):
        self.lexicon = lexicon
        self.limit = limit
        self.extra = extra
        self.prescribed_hang = prescribed_hang

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        lexicon, limit, extra = self.lexicon, self.limit, self.extra
        accented = accented_lines(tokens)
        line = 0
        for i, tok in enumerate(tokens):
            if tok.kind == NEWLINE:
                line += 1
                continue
            if tok.kind != WORD or i in plan.source:
                continue
            text_i = tok.text
            if text_i.isascii():
                lower = text_i.lower()
                # on a line written with diacritics, a plain syllable (cho, la) and an
                # all-caps word that is none as written (IT, NOC, TOP) are meant as written
                keep_as_is = line in accented and (is_valid_syllable(lower) or is_abbreviation(text_i))
                cands = () if keep_as_is else lexicon.candidates(lower)[:limit] + extra.get(lower, ())
                if self.prescribed_hang and lower == "hang" and cands and _every(tokens, i):
                    cands = tuple(c for c in cands if lexicon.symbols[c] == "hằng") or cands
                if cands:
                    plan.lattice_of[i] = cands
                    plan.source[i] = RESTORED
                    continue
                plan.source[i] = KEPT if keep_as_is or lexicon.id(lower) is not None else UNKNOWN
            else:
                valid = is_valid_syllable(unicodedata.normalize("NFC", text_i.lower()))
                plan.source[i] = KEPT if valid else UNKNOWN


# "hằng" (every) before a unit of time, the form the dictionary and administrative
# writing prescribe (hằng năm, hằng tháng); "hàng" (some number of) where the phrase
# means a stretch of time (hàng năm trời, hàng tháng liền).
_TIME_UNITS = frozenset({"ngay", "tuan", "thang", "quy", "nam"})
_STRETCH = frozenset({"troi", "lien"})


def _every(tokens: list[Token], i: int) -> bool:
    """Whether the word at i stands before a unit of time meaning "every" (hang nam),
    not a stretch of time (hang nam troi)."""
    following: list[str] = []
    for tok in tokens[i + 1:]:
        if tok.kind == SPACE:
            continue
        if tok.kind != WORD or len(following) == 2:
            break
        following.append(key(tok.text))
    if not following or following[0] not in _TIME_UNITS:
        return False
    return len(following) == 1 or following[1] not in _STRETCH


def accented_lines(tokens: list[Token]) -> set[int]:
    """Lines written with diacritics: there a plain word that is a valid syllable (cho,
    la, anh) was most likely meant as written, so it is kept.  An all-caps word that is
    no syllable as written (IT, AP) says nothing of how the line was typed: not counted."""
    accented: set[int] = set()
    line, marked, plain = 0, 0, 0
    for tok in tokens + [Token(0, 0, NEWLINE, "")]:
        if tok.kind == NEWLINE:
            if marked and marked >= _ACCENTED_LINE_SHARE * (marked + plain):
                accented.add(line)
            line, marked, plain = line + 1, 0, 0
        elif tok.kind == WORD:
            if has_accents(tok.text):
                marked += 1
            elif tok.text.isascii() and not is_abbreviation(tok.text):
                plain += 1
    return accented

