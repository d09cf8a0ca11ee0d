"""Names: a capitalized word inside a sentence is most likely a name, and names spell a
key with other odds than common words (Nam, Hà, Đức).

Its candidates become the LM's name symbols (^hà), and a form the corpus never wrote
capitalized keeps its own symbol but pays the smoothed log-share of such uses, scaled by
`weight` (``Options.name_weight``).

An ALL-CAPS word (a heading: UY BAN NHAN DAN XA DONG HUNG) has no case to tell: every
one may be a name.  The decoder weighs both readings: each form is offered as its plain
symbol and as its name symbol; the name reading gets `caps_name_cost` added (a
log-odds, ``Options.caps_name_cost``; positive favours names: the default was chosen on
the whole reports dev set, see README) and the form's name prior, and the LM's context
(xã ^đông ^hưng against xã động hùng) decides.  A word right before a number gets no name
reading unless its neighbours say it is a name (PHUONG HUONG NAM 2025: a year's năm;
"hướng Nam" is common enough in the corpus to win otherwise).  An ALL-CAPS word the model
has a symbol for as written (EU, NET) is also offered so, and one hyphened to an
ALL-CAPS word that is no syllable (QP-AN) is a letter of that abbreviation, as written.

A Title-case word inside a sentence is read as a name, and, unless its neighbours say
it is one (below), also as a common word at `common_cost` (``Options.common_reading_cost``,
negative: a name stays likelier; chosen on the five dev sets, see README): capitals also
open an organisation's name (Huyện đoàn, Đoàn xã) or honour a word (Đảng, Bác).

Where the words around say which kind of name a capitalized word is (``name_context``:
after a unit word, a place; after a surname or ông/bà/chị, a person's name), its name
reading also pays the log-share of its form among such names in the name table
(``names_table``), mixed half and half with the corpus' share of the form among
capitalized uses and scaled by `list_weight` (``Options.name_list_weight``); and a title
key before a person's full name (chi Pham Thi Hang) is read as the title.
"""

from __future__ import annotations

import math
import unicodedata

from ..candidates import Lexicon
from ..name_context import name_role, title_before_name
from ..names_table import NameTable, packaged
from ..orthography import is_valid_syllable
from ..segment import UNK, capitalized_inside
from ..tokenize import NUMBER, WORD, Token


class NameSource:
    def __init__(self, lexicon: Lexicon, weight: float, caps_name_cost: float | None = None,
                 table: NameTable | None = None, list_weight: float = 0.0, common_cost: float | None = None):
        self.lexicon = lexicon
        self.weight = weight
        self.caps_name_cost = caps_name_cost  # None: all-caps words are read as common words
        self.common_cost = common_cost  # None: a capitalized word inside a sentence is read as a name only
        self._table = table  # None: the packaged table, read when a restore first needs it
        self.list_weight = list_weight

    @property
    def table(self) -> NameTable:
        if self._table is None:
            self._table = packaged()
        return self._table

    def read(self, tokens: list[Token], seg: list[int], k: int, cands: tuple[int, ...],
             extra: list[float] | None) -> tuple[tuple[int, ...], list[float] | None]:
        """The candidates and prior scores of position k of a segment, read as a name if
        it is one (else unchanged)."""
        all_caps = _all_caps(tokens[seg[k]].text)
        if all_caps and self.caps_name_cost is None:
            return cands, extra  # ALL-CAPS words read as common words: no title, no list
        shares = None
        if self.list_weight and len(cands) > 1:
            shares = self._list_shares(tokens, seg, k)
            if shares is None:
                extra = self._title(tokens, seg, k, cands, extra)
        if all_caps:
            if len(cands) > 1 and _in_abbreviation(tokens, seg[k]):  # QP-AN: letters, as written
                written = self.lexicon.id(tokens[seg[k]].text.lower())
                return (written if written in cands else self.lexicon.id(UNK),), None
            cands, extra = self._as_written(tokens[seg[k]].text, cands, extra)
            if shares is None and _before_number(tokens, seg, k):
                return cands, extra  # PHUONG HUONG NAM 2025: a count or a year, no name
            return self._both_readings(cands, extra, shares)
        read, read_extra = self._title_case_reading(tokens, seg, k, cands, extra, shares)
        if len(cands) > 1 and _title_case(tokens[seg[k]].text):
            return self._as_written(tokens[seg[k]].text, read, read_extra)
        return read, read_extra

    def _title_case_reading(self, tokens, seg, k, cands, extra, shares):
        # A sentence start is no evidence of a name, but a role is (Thạnh Lợi, ngày ...).
        if not (capitalized_inside(tokens, seg, k) or (shares and _title_case(tokens[seg[k]].text))):
            return cands, extra
        lexicon = self.lexicon
        as_names = [lexicon.as_name(c) for c in cands]
        if len(cands) > 1:
            # A form never seen capitalized has no name symbol: it pays the (smoothed)
            # odds of being one instead.
            names = [0.0 if n else self.weight * lexicon.log_prior_capitalized(c)
                     for c, n in zip(cands, as_names)]
            if shares:
                names = [p + self._share(shares, c) for p, c in zip(names, cands)]
            extra = [a + b for a, b in zip(extra, names)] if extra else names
        read = tuple(n or c for c, n in zip(cands, as_names))
        if self.common_cost is None or len(cands) == 1 or shares:
            return read, extra
        # Nothing around says it is a name: capitals also open an organisation's name
        # (Huyện đoàn, Hội Nông dân) or honour a word (Đảng), so its common reading is
        # weighed too, at `common_cost`.
        base = extra or [0.0] * len(cands)
        common = [(c, cost + self.common_cost) for c, n, cost in zip(cands, as_names, base) if n]
        return read + tuple(c for c, _ in common), list(base) + [cost for _, cost in common]

    def _both_readings(self, cands: tuple[int, ...], extra: list[float] | None, shares):
        lexicon = self.lexicon
        base = extra or [0.0] * len(cands)
        names, costs = [], []
        for c, cost in zip(cands, base):
            name = lexicon.as_name(c)
            if name is not None:
                names.append(name)
                prior = self.weight * lexicon.log_prior_capitalized(c) if len(cands) > 1 else 0.0
                if shares:
                    prior += self._share(shares, c)
                costs.append(cost + self.caps_name_cost + prior)
        if not names:
            return cands, extra
        return cands + tuple(names), list(base) + costs

    def _as_written(self, text: str, cands: tuple[int, ...], extra: list[float] | None):
        """A capitalized word the model knows as a symbol of its own (EU, NET, Cup: seen
        so often as written that the build gave it one) may also be meant as written."""
        own = self.lexicon.id(text)
        if own is None or own in cands:
            return cands, extra
        return cands + (own,), (extra or [0.0] * len(cands)) + [0.0]

    def _list_shares(self, tokens, seg, k) -> dict[str, float] | None:
        role = name_role(tokens, seg, k, self.table)
        return None if role is None else role.shares

    def _title(self, tokens, seg, k, cands, extra):
        """Before a person's full name a title key is the title (Chi Pham Thi Hang: Chị,
        not Chỉ): the other forms pay `list_weight` times log 0.1."""
        title = title_before_name(tokens, seg, k, self.table)
        if title is None:
            return extra
        costs = [0.0 if self.lexicon.symbols[c] == title else self.list_weight * _NOT_TITLE for c in cands]
        return [a + b for a, b in zip(extra, costs)] if extra else costs

    def _share(self, shares: dict[str, float], word_id: int) -> float:
        """The list's share of a form, mixed half and half with the corpus' share of it
        among capitalized uses: a form the corpus often writes capitalized inside a
        sentence (Trưởng, Đảng, Phòng) is no name the list should hold back."""
        listed = math.exp(shares.get(self.lexicon.symbols[word_id], shares[""]))
        corpus = math.exp(self.lexicon.log_prior_capitalized(word_id))
        return self.list_weight * math.log(0.5 * listed + 0.5 * corpus)


_NOT_TITLE = math.log(0.1)


def _in_abbreviation(tokens: list[Token], i: int) -> bool:
    """Whether the word at token i is joined by a hyphen to an ALL-CAPS word that is no
    syllable (QP-AN, KT-XH): then it is part of a compound abbreviation, as written."""
    for step in (-1, 1):
        dash, other = i + step, i + 2 * step
        if (0 <= other < len(tokens) and tokens[dash].text == "-" and tokens[other].kind == WORD
                and _all_caps(tokens[other].text)
                and not is_valid_syllable(unicodedata.normalize("NFC", tokens[other].text.lower()))):
            return True
    return False


def _before_number(tokens: list[Token], seg: list[int], k: int) -> bool:
    return k + 1 < len(seg) and tokens[seg[k + 1]].kind == NUMBER


def _title_case(text: str) -> bool:
    return text[:1].isupper() and text[1:].islower()


def _all_caps(text: str) -> bool:
    return len(text) > 1 and text.isupper()

