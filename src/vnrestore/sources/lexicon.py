"""Accent-stripped words -> the accented syllables they can stand for.

Candidates come from the model's lexicon (most frequent first, at most `limit`) plus the
user lexicon's extras.  On a line written with diacritics a plain word that is a valid
syllable (cho, la, anh) was most likely meant as written: it is kept unless the LM
prefers an accented form by more than ``typed_cost`` (a word typed without its marks
among accented ones: ``thực hiện tốt cong tác``).  A word already accented that is a
valid syllable is kept (``retone`` claims, before this source, those it offers other
tones); anything else is unknown.
"""

from __future__ import annotations

import unicodedata
from typing import Mapping

from ..abbrev import is_abbreviation
from ..candidates import Lexicon
from ..orthography import has_accents, is_valid_syllable, key
from ..plan import KEPT, RESTORED, UNKNOWN, Plan
from ..segment import capitalized_inside
from ..tokenize import NEWLINE, SPACE, WORD, Token, neighbour

_ACCENTED_LINE_SHARE = 0.5
# A plain word on a line written with diacritics is weighed against its accented forms
# (``LexiconSource.typed_cost``); these shift the cost where the text says more of how the
# word was typed (README, "Words typed without diacritics among accented ones"):
RUN_SHARE = 0.4   # a run of plain words holding one that only a stripped syllable is (thuc, tac)
NAME_EXTRA = 3.0  # a Title-case word inside a sentence, mostly a name (Lâm Vinh Hải)


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
    """`typed_cost` (None: off): on a line written with diacritics, a plain word that is a
    syllable as written (cong, cho) is kept unless the LM prefers one of its accented
    forms by more than this many nats (``tốt cong tác`` -> công, ``đường cong`` stays).
    Accented words that ``retone`` did not claim are kept."""

    def __init__(self, lexicon: Lexicon, limit: int, extra: Mapping[str, tuple[int, ...]],
                 prescribed_hang: bool = False, typed_cost: float | None = None):
        self.lexicon = lexicon
        self.limit = limit
        self.extra = extra
        self.prescribed_hang = prescribed_hang
        self.typed_cost = typed_cost

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        lexicon, limit, extra = self.lexicon, self.limit, self.extra
        accented = accented_lines(tokens)
        runs = stripped_runs(tokens, lexicon) if self.typed_cost is not None and accented else set()
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
                offered = lexicon.candidates(lower)[:limit] + extra.get(lower, ())
                cands = () if keep_as_is else offered
                if keep_as_is and self.typed_cost is not None:
                    cands = self._as_typed(tokens, i, runs, plan, offered)
                if cands:
                    plan.lattice_of[i] = cands
                    plan.source[i] = RESTORED
                    if self.prescribed_hang and lower == "hang" and _every(tokens, i):
                        self._prescribed(i, plan)
                    continue
                plan.source[i] = KEPT if keep_as_is or lexicon.id(lower) is not None else UNKNOWN
            else:
                valid = is_valid_syllable(unicodedata.normalize("NFC", text_i.lower()))
                plan.source[i] = KEPT if valid else UNKNOWN

    def _prescribed(self, i: int, plan: Plan) -> None:
        """hang before a unit of time: hằng only (a word typed plain on an accented
        line keeps its form as written too)."""
        typed = i in plan.prior_of
        keep = [j for j, c in enumerate(plan.lattice_of[i])
                if self.lexicon.symbols[c] == "hằng" or (typed and j == 0)]
        if len(keep) > (1 if typed else 0):  # a hằng among them
            plan.narrow(i, keep)

    def _as_typed(self, tokens: list[Token], i: int, runs: set[int], plan: Plan,
                  offered: tuple[int, ...]) -> tuple[int, ...]:
        """The candidates of a plain syllable on an accented line (`offered`: its key's):
        as written first, the others at a cost (``Plan.prior_of``), or none (kept) for an
        ALL-CAPS word outside a stripped run (MU, HA: acronyms) and a word the model lacks
        as written."""
        text = tokens[i].text
        lower = text.lower()
        written = self.lexicon.id(lower)
        if written is None or (i not in runs and not (text.islower() or text[1:].islower())):
            return ()
        others = tuple(c for c in offered if c != written)
        if not others:
            return ()
        cost = RUN_SHARE * self.typed_cost if i in runs else word_cost(tokens, i, self.typed_cost)
        plan.prior_of[i] = (0.0,) + (-cost,) * len(others)
        plan.as_written.add(i)  # the triggers leave it be
        plan.typed.add(i)  # the memory reads it as any restored word
        return (written,) + others


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


def stripped_runs(tokens: list[Token], lexicon: Lexicon) -> set[int]:
    """The words of runs of plain words (spaces between them) that hold a word no
    syllable is as written but an accent-stripped one is (thuc, tac): such a run was
    typed without diacritics, whatever the rest of its line."""
    found: set[int] = set()
    run: list[int] = []
    stripped = False
    for i, tok in enumerate(tokens + [Token(0, 0, NEWLINE, "")]):
        if tok.kind == SPACE:
            continue
        if tok.kind == WORD and tok.text.isascii() and not is_abbreviation(tok.text):
            run.append(i)
            lower = tok.text.lower()
            stripped = stripped or (not is_valid_syllable(lower) and bool(lexicon.candidates(lower)))
            continue
        if stripped and len(run) > 1:
            found.update(run)
        run, stripped = [], False
    return found


def word_cost(tokens: list[Token], i: int, cost: float) -> float:
    """`cost` for a word's other forms, NAME_EXTRA more for a Title-case word inside a
    sentence (mostly a name)."""
    text = tokens[i].text
    return cost if text.islower() or _opens_sentence(tokens, i) else cost + NAME_EXTRA


def _opens_sentence(tokens: list[Token], i: int) -> bool:
    """Whether the Title-case word at i opens its sentence or line (not a name inside one)."""
    text = tokens[i].text
    if not (text[:1].isupper() and text[1:].islower()):
        return False
    j = neighbour(tokens, i, -1)
    return j is None or tokens[j].kind == NEWLINE or not capitalized_inside(tokens, [j, i], 1)
