"""Candidate table: accent-stripped key -> the accented syllables it can stand for.

Built at load time from the model vocabulary: every syllable symbol is filed under its
key, most frequent first.  Syllables seen in the corpus are the candidates; syllables
known only from the fallback inventory (corpus count 0) are offered only for keys that
have no attested syllable, so rare spellings never slow down or mislead common keys.
"""

from __future__ import annotations

import math

from .orthography import is_valid_syllable, key
from .segment import CAPITALIZED_MARK, SPECIAL_SYMBOLS


class Lexicon:
    def __init__(self, symbols: list[str], counts: list[int], capitalized: list[int] | None = None):
        self.symbols = symbols
        self.counts = counts
        self.ids = {s: i for i, s in enumerate(symbols)}
        capitalized = capitalized or [0] * len(symbols)
        grouped: dict[str, list[tuple[int, int]]] = {}
        for i, (sym, count) in enumerate(zip(symbols, counts)):
            if sym in SPECIAL_SYMBOLS or not sym.isalpha() or not is_valid_syllable(sym):
                continue
            grouped.setdefault(key(sym), []).append((count, i))
        # "^form": the LM's symbol for form written capitalized inside a sentence.
        self._as_name = {self.ids[sym[len(CAPITALIZED_MARK):]]: i for i, sym in enumerate(symbols)
                         if sym.startswith(CAPITALIZED_MARK) and sym[len(CAPITALIZED_MARK):] in self.ids}
        self._plain = {name: plain for plain, name in self._as_name.items()}
        self._candidates: dict[str, tuple[int, ...]] = {}
        self._log_prior_capitalized: dict[int, float] = {}
        for k, entries in grouped.items():
            entries.sort(key=lambda e: (-e[0], e[1]))
            attested = [e for e in entries if e[0] > 0] or entries
            ids = tuple(i for _, i in attested)
            self._candidates[k] = ids
            self._log_prior_capitalized.update(_smoothed_log_shares(ids, [capitalized[i] for i in ids]))

    def candidates(self, word_key: str) -> tuple[int, ...]:
        """Ids of the forms for a key, most frequent first (empty if unknown)."""
        return self._candidates.get(word_key, ())

    def log_prior_capitalized(self, word_id: int) -> float:
        """log P(form | key, written capitalized inside a sentence), add-one smoothed:
        how names spell a key, which differs from how common words do (Nam, Hà, Đức)."""
        return self._log_prior_capitalized.get(word_id, 0.0)

    def as_name(self, word_id: int) -> int | None:
        """Id of the LM symbol for this form capitalized inside a sentence (None if the
        corpus never wrote it so)."""
        return self._as_name.get(word_id)

    def plain(self, word_id: int) -> int:
        """The form behind an id: itself, or the form of a capitalized-inside symbol."""
        return self._plain.get(word_id, word_id)

    def keys(self) -> list[str]:
        """Every key that has candidates."""
        return list(self._candidates)

    def id(self, symbol: str) -> int | None:
        return self.ids.get(symbol)


def _smoothed_log_shares(ids: tuple[int, ...], counts: list[int]) -> dict[int, float]:
    total = sum(counts) + len(counts)
    return {i: math.log((c + 1) / total) for i, c in zip(ids, counts)}
