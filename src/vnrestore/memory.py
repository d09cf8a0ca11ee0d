"""Document memory: a word's form as the rest of the document chose it.

Documents repeat their words.  A report on pig farming writes lợn twenty times, a story
names its heroine on every page, a commune's report says xã in every paragraph.  The LM
sees two words of context, so "17 ho chua nhan tien" is decided blind even when the same
document has settled ho elsewhere ("ho ngheo", "ho gia dinh").  This is the cache model
of speech recognition (Kuhn & De Mori 1990), over the document's own first reading:

1. Decode as usual.  Every restored word whose posterior (``posterior.swap_scores``) is at
   least ``confident`` votes for its form, under its key and its case class (lower case
   apart from capitalized, so the name Dung never votes for the verb dùng); so does every
   word the text itself wrote with its marks (a typed ``cong`` among accented words
   follows the ``công`` they write).
2. Each candidate of a restored word gains ``weight * ln((n_form + prior) / (n_key + prior))``,
   counted over the votes within ``radius`` tokens of it (its own vote left out): zero
   where the document has no say nearby, below zero for a form the document keeps
   choosing against.  Nearby, not the whole document: a long text changes topic, and
   a window of a few hundred words measured better than whole documents (README).
3. Only segments where that can change the best path are decoded again: those where
   a chosen word's gain is below another candidate's and some rival, with its gain,
   comes within ``MARGIN`` of the chosen word's swap score (the rest of the path fixed).
   That is about one segment in ten.

In OCR mode the candidates of one token have different keys (ciia: của, cửa, cùa, ...);
each is weighed against its own key's votes, so the memory says which accented form of
a word the document uses, never which word.  Votes never cross ``groups`` (separate texts
of ``restore_many``), and a memory is one block of ``blocks.BLOCK_CHARS``.  The weight,
radius and threshold are global settings chosen on whole dev sets, each document restored
on its own (``benchmarks/tune_memory.py``, README).
"""

from __future__ import annotations

from typing import Collection, Sequence

import numpy as np

from .candidates import Lexicon
from .decode import decode
from .lattice import Lattices
from .posterior import swap_scores
from .segment import UNK, symbol
from .tokenize import Token

_TIE = 1e-9
TOP = 8  # candidates per word scored over the whole window (posterior.swap_scores)
MARGIN = 4.0  # nats: a disfavoured choice is revisited when a rival comes this close (README)
RADIUS = 800  # tokens (words, spaces and punctuation) either side whose votes count


class DocumentMemory:
    def __init__(self, lexicon: Lexicon, weight: float, radius: int = RADIUS, confident: float = 0.6,
                 prior: float = 1.0, as_read: Sequence[int] = ()):
        self.lexicon = lexicon
        self.weight = weight
        self.radius = radius
        self.confident = confident
        self.prior = prior
        self.margin = MARGIN
        self.as_read = np.array(sorted(as_read), dtype=np.int64)  # keep a word as read: no form, no vote
        self._plain = lexicon.plain_ids()
        self._unk = lexicon.id(UNK)
        self._key_text: dict[int, str] = {}  # form id -> its key

    def _written(self, token: Token) -> int:
        """The plain form id of a word as written (-1: none), read as the LM reads it
        (``segment.symbol``: NFC, lower case, the tone in its new place)."""
        found = self.lexicon.id(symbol(token))
        return -1 if found is None or found == self._unk else int(self._plain[found])

    def _written_words(self, tokens: list[Token], written: Collection[int], groups: Sequence[int]):
        """(token positions, form ids, case classes) of the words written with their
        marks that the model knows."""
        pairs = [(i, self._written(tokens[i])) for i in sorted(written)]
        at = np.array([i for i, f in pairs if f >= 0], dtype=np.int64)
        forms = np.array([f for _, f in pairs if f >= 0], dtype=np.int64)
        return at, forms, _case_class(tokens, at, groups)

    def _key_numbers(self, forms: np.ndarray) -> np.ndarray:
        """A number per form's key, equal for forms of one key (numbered per call, so
        threads sharing this memory never race; the shared cache only ever gains the
        same value for a form)."""
        unique, inverse = np.unique(forms, return_inverse=True)
        numbering: dict[str, int] = {}
        numbers = np.empty(len(unique), dtype=np.int64)
        for j, form in enumerate(unique.tolist()):
            text = self._key_text.get(form)
            if text is None:
                text = self._key_text[form] = self.lexicon._key_of(form) or ""
            numbers[j] = numbering.setdefault(text, len(numbering))
        return numbers[inverse]

    def revise(self, tokens: list[Token], lat: Lattices, paths: list[list[int]], lm, bos: int, eos: int,
               beam: int, groups: Sequence[int] = (), as_written: Collection[int] = (),
               written: Collection[int] = ()) -> tuple[list[list[int]], dict[int, str]]:
        """The paths after the second pass (`lat.costs` gain the memory's scores), and for
        each token the memory changed, a note saying why (for ``explain``).
        `groups`: token indices where a new text starts (votes never cross them).
        `as_written`: tokens (``Plan.as_written``: syllables as a Vietnamese-aware OCR
        engine wrote them, accented words ``sources.retone`` rereads) whose written
        form gains at least as much as any other.
        `written`: words the text itself wrote with their marks (no candidates of their
        own), each a vote for its form as written."""
        swaps = swap_scores(lat, paths, lm, bos, eos, top=TOP)
        starts = swaps.starts
        if not len(starts):
            return paths, {}
        sizes = np.diff(np.append(starts, len(swaps.word)))
        seg, pos = swaps.segment[starts], swaps.position[starts]
        token = np.array([lat.positions[s][t] for s, t in zip(seg.tolist(), pos.tolist())], dtype=np.int64)
        cls = _case_class(tokens, token, groups)
        form = self._plain[swaps.word]
        readable = ~np.isin(form, self.as_read)
        written_at, written_form, written_cls = self._written_words(tokens, written, groups)
        numbers = self._key_numbers(np.concatenate([form, written_form]))  # one numbering for both
        keycode = (np.repeat(cls, sizes) << 24) + numbers[:len(form)]
        formcode = (np.repeat(cls, sizes) << 24 << 20) + form  # (class, form): form ids < 2**20
        chosen = swaps.chosen
        same = form == np.repeat(form[chosen], sizes)
        confidence = np.add.reduceat(np.where(same, swaps.probabilities(), 0.0), starts)
        votes = np.flatnonzero((confidence >= self.confident) & readable[chosen])
        if not len(votes) and not len(written_at):
            return paths, {}
        where = np.repeat(token, sizes)
        vote_keys = np.concatenate([keycode[chosen[votes]], (written_cls << 24) + numbers[len(form):]])
        vote_forms = np.concatenate([formcode[chosen[votes]], (written_cls << 24 << 20) + written_form])
        vote_at = np.concatenate([token[votes], written_at])
        n_key = _in_window(vote_keys, vote_at, keycode, where, self.radius)
        n_form = _in_window(vote_forms, vote_at, formcode, where, self.radius)
        voted = np.zeros(len(starts), dtype=bool)
        voted[votes] = True
        own = np.repeat(voted, sizes)  # leave the word's own vote out
        n_key -= own & (keycode == np.repeat(keycode[chosen], sizes))
        n_form -= own & (formcode == np.repeat(formcode[chosen], sizes))
        gains = np.where(readable & (n_key > 0),
                         self.weight * np.log((n_form + self.prior) / np.maximum(n_key + self.prior, 1e-300)), 0.0)
        if as_written:  # a word as written: the votes may bring it back to as written, never away
            written = np.array([self._written(tokens[i]) if i in as_written else -1 for i in token.tolist()],
                               dtype=np.int64)
            mine = form == np.repeat(written, sizes)
            gains = np.where(mine, np.repeat(np.maximum.reduceat(gains, starts), sizes), gains)
        best = np.maximum.reduceat(gains, starts)
        changed = np.flatnonzero(np.minimum.reduceat(gains, starts) < best)  # positions with a say
        # A segment is decoded again only if, with the gains, some chosen word is no
        # longer the best of its swaps (the rest of the path fixed).
        swapped = swaps.score + gains
        others = swapped.copy()
        others[chosen] = -np.inf
        rival = np.maximum.reduceat(others, starts)[changed]  # the best other candidate, with its gain
        disfavoured = gains[chosen[changed]] < best[changed] - _TIE
        close = rival > swapped[chosen[changed]] - self.margin
        redo = set(seg[changed[disfavoured & close]].tolist())
        for g in changed.tolist():
            s, t, a = int(seg[g]), int(pos[g]), int(starts[g])
            gain = gains[a: a + int(sizes[g])].tolist()
            cost = lat.costs[s][t]
            lat.costs[s][t] = gain if cost is None else [x + y for x, y in zip(cost, gain)]
        if not redo:
            return paths, {}
        again = sorted(redo)
        new = decode([lat.lattices[s] for s in again], lm, bos, eos, beam=beam, costs=[lat.costs[s] for s in again])
        first, paths = paths, list(paths)
        for s, path in zip(again, new):
            paths[s] = path
        notes = {}
        for g in changed.tolist():
            s, t = int(seg[g]), int(pos[g])
            if paths[s][t] != first[s][t]:
                row = int(starts[g]) + paths[s][t]
                notes[int(token[g])] = (f"document memory: {self.lexicon.symbols[int(form[row])]} "
                                        f"in {int(n_form[row])} of {int(n_key[row])} confident uses nearby")
        return paths, notes


def _case_class(tokens: list[Token], at: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    """Per token position: its text (of ``restore_many``) and whether it is capitalized,
    as one number; votes count only within a class."""
    upper = np.array([tokens[i].text[:1].isupper() for i in at.tolist()], dtype=np.int64)
    return np.searchsorted(np.asarray(groups, dtype=np.int64), at, side="right") * 2 + upper


def _in_window(vote_codes: np.ndarray, vote_at: np.ndarray, codes: np.ndarray, at: np.ndarray,
               radius: int) -> np.ndarray:
    """For each (code, token position) query, how many votes carry that code within
    `radius` tokens of it."""
    shift = np.int64(1 << 22)  # token positions in a block stay below 2**22
    dense = np.unique(np.concatenate([vote_codes, codes]), return_inverse=True)[1].astype(np.int64)
    vote_dense, dense = dense[:len(vote_codes)], dense[len(vote_codes):]
    keys = np.sort(vote_dense * shift + vote_at)
    low = np.searchsorted(keys, dense * shift + np.maximum(at - radius, 0), side="left")
    high = np.searchsorted(keys, dense * shift + np.minimum(at + radius, shift - 1), side="right")
    return (high - low).astype(np.int64)
