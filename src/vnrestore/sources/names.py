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
(xã ^đông ^hưng against xã động hùng) decides.
"""

from __future__ import annotations

from ..candidates import Lexicon
from ..segment import capitalized_inside
from ..tokenize import Token


class NameSource:
    def __init__(self, lexicon: Lexicon, weight: float, caps_name_cost: float | None = None):
        self.lexicon = lexicon
        self.weight = weight
        self.caps_name_cost = caps_name_cost  # None: all-caps words are read as common words

    def read(self, tokens: list[Token], seg: list[int], k: int, cands: tuple[int, ...],
             extra: list[float] | None) -> tuple[tuple[int, ...], list[float] | None]:
        """The candidates and prior scores of position k of a segment, read as a name if
        it is one (else unchanged)."""
        if self.caps_name_cost is not None and _all_caps(tokens[seg[k]].text):
            return self._both_readings(cands, extra)
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

    def _both_readings(self, cands: tuple[int, ...], extra: list[float] | None):
        lexicon = self.lexicon
        base = extra or [0.0] * len(cands)
        names, costs = [], []
        for c, cost in zip(cands, base):
            name = lexicon.as_name(c)
            if name is not None:
                names.append(name)
                prior = self.weight * lexicon.log_prior_capitalized(c) if len(cands) > 1 else 0.0
                costs.append(cost + self.caps_name_cost + prior)
        if not names:
            return cands, extra
        return cands + tuple(names), list(base) + costs


def _all_caps(text: str) -> bool:
    return len(text) > 1 and text.isupper()
