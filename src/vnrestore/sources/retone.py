"""Accented words with a wrong tone or mark -> their key's other accented forms.

A typist's slip and an OCR engine that knows Vietnamese both leave accented words with
the wrong marks (``trách nhiễm``, ``quan hê``).  This source runs before ``lexicon``
and claims the accented syllables worth a second look: each keeps its form as written
first, at no cost, and its other accented forms pay ``Options.retone_cost``, so the LM
must prefer one of them by that many nats.  The words it leaves, ``lexicon`` keeps.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..candidates import Lexicon
from ..orthography import has_accents, key
from ..plan import RESTORED, Plan
from ..segment import CAPITALIZED_MARK, UNK, symbol
from ..tokenize import WORD, Token, neighbour
from .lexicon import word_cost

RETONE_LIMIT = 6  # other accented forms an accented word is weighed against


class RetoneSource:
    """`cost`: what an accented word's other accented forms pay against it (nats);
    `attested` (``NgramLM.has_bigrams``: left ids, right ids -> whether the model holds
    each bigram; None: every word is offered) leaves out the words the corpus wrote
    beside each of their neighbours."""

    def __init__(self, lexicon: Lexicon, cost: float,
                 attested: Callable[[Sequence[int], Sequence[int]], np.ndarray] | None = None):
        self.lexicon = lexicon
        self.cost = cost
        self.attested = attested

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        """Claim the accented syllables to offer their key's other accented forms:
        as written first, the others at the cost (``Plan.prior_of``), at most
        RETONE_LIMIT of them, most frequent first, NAME_EXTRA more for a Title-case word
        inside a sentence (a name: Thanh Thùy).  Never its plain form (a word keeps its
        marks), nothing for an ALL-CAPS word or a form the model lacks, and nothing for
        a word the corpus wrote beside each of its neighbours (``attested``): a slip
        mostly makes a pair the corpus lacks, and skipping the others saves most of the
        time (README, "Accented words with a wrong tone")."""
        lexicon, symbols = self.lexicon, self.lexicon.symbols
        offers = {}
        for i, tok in enumerate(tokens):
            text = tok.text
            if tok.kind != WORD or i in plan.source or text.isascii() or not (text.islower() or text[1:].islower()):
                continue
            written = lexicon.id(symbol(tok))  # <unk> for a word that is no syllable
            if written is None or written == lexicon.id(UNK):
                continue
            others = tuple(c for c in lexicon.candidates(key(symbols[written]))
                           if c != written and has_accents(symbols[c]))[:RETONE_LIMIT]
            if others:
                offers[i] = (written,) + others
        if self.attested is not None and offers:
            attested = self._in_context(tokens, offers)
            offers = {i: c for i, c in offers.items() if i not in attested}
        for i, cands in offers.items():
            plan.lattice_of[i] = cands
            plan.source[i] = RESTORED
            plan.prior_of[i] = (0.0,) + (-word_cost(tokens, i, self.cost),) * (len(cands) - 1)
            plan.as_written.add(i)  # the triggers and the document memory leave it be

    def _in_context(self, tokens: list[Token], offers: dict[int, tuple[int, ...]]) -> set[int]:
        """The words of `offers` whose form as written (the first candidate) the corpus
        wrote beside each of the syllables next to them (one at least; lower case or
        capitalized), in one look-up of all their pairs."""
        unk = self.lexicon.id(UNK)
        left: list[int] = []
        right: list[int] = []
        side_of: list[int] = []  # per pair, its side's number
        sides: list[int] = []    # per side, its word
        for i, cands in offers.items():
            mine = self._ids(cands[0])
            for step in (-1, 1):
                j = neighbour(tokens, i, step)
                if j is None or tokens[j].kind != WORD:
                    continue
                beside = self.lexicon.id(symbol(tokens[j]))
                if beside is None or beside == unk:
                    continue
                before, after = (self._ids(beside), mine) if step < 0 else (mine, self._ids(beside))
                for a in before:
                    for b in after:
                        left.append(a)
                        right.append(b)
                        side_of.append(len(sides))
                sides.append(i)
        if not sides:
            return set()
        seen = np.zeros(len(sides), dtype=bool)
        np.logical_or.at(seen, np.array(side_of), self.attested(left, right))
        owner = np.array(sides)
        unseen = set(owner[~seen].tolist())
        return set(owner.tolist()) - unseen

    def _ids(self, word: int) -> list[int]:
        """A syllable's LM ids: as it is and capitalized (``^form``), those the model has."""
        capitalized = self.lexicon.id(CAPITALIZED_MARK + self.lexicon.symbols[word])
        return [word] if capitalized is None else [word, capitalized]
