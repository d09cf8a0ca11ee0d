"""Candidate table: accent-stripped key -> the accented syllables it can stand for.

Built from the model vocabulary: every syllable symbol is filed under its key, most
frequent first (key by key, on first use).  Syllables seen in the corpus are the candidates; syllables
known only from the fallback inventory (corpus count 0) are offered only for keys that
have no attested syllable, so rare spellings never slow down or mislead common keys.
"""

from __future__ import annotations

import math

import numpy as np

from .orthography import is_valid_syllable, key, strip_accents
from .segment import CAPITALIZED_MARK, SPECIAL_SYMBOLS


class Lexicon:
    """The candidate table, filled in one key at a time on first use.

    Loading files every symbol under its key (one string operation over the whole
    vocabulary); checking a key's forms and ordering them waits until a restore asks for
    that key, so starting up costs a few milliseconds and a restore pays only for the
    keys its text has (``is_valid_syllable`` is ~10 us a symbol, 0.2 s for all 22 k)."""

    def __init__(self, symbols: list[str], counts: list[int], capitalized: list[int] | None = None):
        self.symbols = symbols
        self.counts = counts
        self.ids = {s: i for i, s in enumerate(symbols)}
        self._capitalized = capitalized or [0] * len(symbols)
        # strip_accents works per character, so one call over the joined vocabulary
        # gives every symbol's key ("\n" is a boundary for Unicode normalisation).
        keys = strip_accents("\n".join(symbols)).lower().split("\n")
        self._grouped: dict[str, list[int]] = {}
        for i, (sym, k) in enumerate(zip(symbols, keys)):
            if sym.isalpha() and sym not in SPECIAL_SYMBOLS:
                self._grouped.setdefault(k, []).append(i)
        # "^form": the LM's symbol for form written capitalized inside a sentence.
        self._as_name = {self.ids[sym[len(CAPITALIZED_MARK):]]: i for i, sym in enumerate(symbols)
                         if sym.startswith(CAPITALIZED_MARK) and sym[len(CAPITALIZED_MARK):] in self.ids}
        self._plain = {name: plain for plain, name in self._as_name.items()}
        self._candidates: dict[str, tuple[int, ...]] = {}
        self._log_prior_capitalized: dict[int, float] = {}
        self._plain_ids: np.ndarray | None = None

    def _fill(self, word_key: str) -> tuple[int, ...]:
        """The candidates of one key: its valid syllables, most frequent first, only
        those seen in the corpus if any was."""
        entries = [(self.counts[i], i) for i in self._grouped.get(word_key, ())
                   if is_valid_syllable(self.symbols[i])]
        entries.sort(key=lambda e: (-e[0], e[1]))
        attested = [e for e in entries if e[0] > 0] or entries
        ids = tuple(i for _, i in attested)
        self._log_prior_capitalized.update(_smoothed_log_shares(ids, [self._capitalized[i] for i in ids]))
        self._candidates[word_key] = ids  # one dict store: safe when threads race here
        return ids

    def candidates(self, word_key: str) -> tuple[int, ...]:
        """Ids of the forms for a key, most frequent first (empty if unknown)."""
        ids = self._candidates.get(word_key)
        return ids if ids is not None else self._fill(word_key) if word_key in self._grouped else ()

    def log_prior_capitalized(self, word_id: int) -> float:
        """log P(form | key, written capitalized inside a sentence), add-one smoothed:
        how names spell a key, which differs from how common words do (Nam, Hà, Đức)."""
        word_key = self._key_of(word_id)
        if word_key is not None and word_key not in self._candidates:
            self._fill(word_key)
        return self._log_prior_capitalized.get(word_id, 0.0)

    def as_name(self, word_id: int) -> int | None:
        """Id of the LM symbol for this form capitalized inside a sentence (None if the
        corpus never wrote it so)."""
        return self._as_name.get(word_id)

    def plain(self, word_id: int) -> int:
        """The form behind an id: itself, or the form of a capitalized-inside symbol."""
        return self._plain.get(word_id, word_id)

    def plain_ids(self) -> np.ndarray:
        """``plain`` for every id at once (^form -> form, others themselves), made on
        first use and shared by every restorer of the model."""
        if self._plain_ids is None:
            ids = np.arange(len(self.symbols), dtype=np.int64)
            ids[list(self._plain)] = list(self._plain.values())
            self._plain_ids = ids  # one store: threads racing here store equal arrays
        return self._plain_ids

    def keys(self) -> list[str]:
        """Every key that has candidates, in the order of their first valid syllable."""
        first = {}
        for k, ids in self._grouped.items():
            valid = [i for i in ids if is_valid_syllable(self.symbols[i])]
            if valid:
                first[k] = valid[0]
        return sorted(first, key=first.get)

    def _key_of(self, word_id: int) -> str | None:
        symbol = self.symbols[word_id]
        return key(symbol) if symbol.isalpha() and symbol not in SPECIAL_SYMBOLS else None

    def id(self, symbol: str) -> int | None:
        return self.ids.get(symbol)


def _smoothed_log_shares(ids: tuple[int, ...], counts: list[int]) -> dict[int, float]:
    total = sum(counts) + len(counts)
    return {i: math.log((c + 1) / total) for i, c in zip(ids, counts)}
