"""Names: a capitalized word inside a sentence is most likely a name, and names spell a
key with other odds than common words (Nam, Hà, Đức).

Its candidates become the LM's name symbols (^hà), and a form the corpus never wrote
capitalized keeps its own symbol but pays the smoothed log-share of such uses, scaled by
`weight` (``Options.name_weight``).
"""

from __future__ import annotations

from ..candidates import Lexicon
from ..segment import capitalized_inside
from ..tokenize import Token


class NameSource:
    def __init__(self, lexicon: Lexicon, weight: float):
        self.lexicon = lexicon
        self.weight = weight

    def read(self, tokens: list[Token], seg: list[int], k: int, cands: tuple[int, ...],
             extra: list[float] | None) -> tuple[tuple[int, ...], list[float] | None]:
        """The candidates and prior scores of position k of a segment, read as a name if
        it is one (else unchanged)."""
        if not capitalized_inside(tokens, seg, k):
            return cands, extra
        lexicon = self.lexicon
        as_names = [lexicon.as_name(c) for c in cands]
        if len(cands) > 1:
            # A form never seen capitalized has no name symbol: it pays the (smoothed)
            # odds of being one instead.
            names = [0.0 if n else self.weight * lexicon.log_prior_capitalized(c)
                     for c, n in zip(cands, as_names)]
            extra = [a + b for a, b in zip(extra, names)] if extra else names
        return tuple(n or c for c, n in zip(cands, as_names)), extra
