"""How sure the decoder is of each restored word, for ``explain`` and the document memory.

For every position with several candidates, each candidate's probability given the rest
of the chosen path: a softmax over the scores of the path with that one word swapped.  A
word changes the LM scores of itself and the next order-1 words only, so each swap is
scored over that window.  Every swap of every segment is scored at once (one LM call
per window offset for the whole block, not per segment): the LM state before each
position of a chosen path is its packed history, so it needs no LM call at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Callable

import numpy as np

from .decode import fastest_scorer
from .lattice import Lattices
from .lm import _SHIFT


@dataclass
class Swaps:
    """Every candidate of every multi-candidate position, scored with the rest of its
    path fixed; rows grouped by position, positions in order."""

    segment: np.ndarray  # segment of each row
    position: np.ndarray  # position in its segment
    word: np.ndarray      # candidate id
    index: np.ndarray     # candidate index at its position
    score: np.ndarray     # score of the path with this candidate at this position
    starts: np.ndarray    # first row of each position's group
    chosen: np.ndarray    # row of each position's chosen candidate

    def probabilities(self) -> np.ndarray:
        """Softmax of the scores within each position's group."""
        if not len(self.score):
            return self.score
        best = np.maximum.reduceat(self.score, self.starts)
        sizes = np.diff(np.append(self.starts, len(self.score)))
        weights = np.exp(self.score - np.repeat(best, sizes))
        return weights / np.repeat(np.add.reduceat(weights, self.starts), sizes)


def swap_scores(lat: Lattices, paths: list[list[int]], lm, bos: int, eos: int, top: int | None = None) -> Swaps:
    """`top`: score only each position's `top` best candidates by their own word's score
    (and its chosen one) over the rest of the window; the others get -inf, probability
    0.  What the document memory asks for: an OCR'd word offers dozens of candidates, of
    which a handful carry all the mass."""
    order, state_mask = lm.order, lm.state_mask
    score = fastest_scorer(lm)
    lengths = np.array([len(lattice) for lattice in lat.lattices], dtype=np.intp)
    count = len(lengths)
    width = int(lengths.max()) + 1 if count else 1
    words = np.full((count, width), eos, dtype=np.uint64)  # the chosen path, then </s>
    for s, (lattice, path) in enumerate(zip(lat.lattices, paths)):
        if path:
            words[s, :len(path)] = [cands[p] for cands, p in zip(lattice, path)]
    # Every candidate of every position, flattened; then only positions with a choice.
    sizes = np.fromiter((len(c) for lattice in lat.lattices for c in lattice), dtype=np.intp)
    ids = np.fromiter(chain.from_iterable(chain.from_iterable(lat.lattices)), dtype=np.int64, count=int(sizes.sum()))
    segment_of = np.repeat(np.arange(count), lengths)
    position_of = np.arange(len(sizes)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    multi = sizes > 1
    rows = np.repeat(multi, sizes)
    word = ids[rows]
    segment = np.repeat(segment_of[multi], sizes[multi])
    position = np.repeat(position_of[multi], sizes[multi])
    index = np.arange(len(ids))[rows] - np.repeat((np.cumsum(sizes) - sizes)[multi], sizes[multi])
    total = np.zeros(len(word), dtype=np.float64)
    first = np.cumsum(sizes[multi]) - sizes[multi]  # each multi-candidate position's first row
    flat_costs = [cost for costs in lat.costs for cost in costs]
    for g, at in zip(np.flatnonzero(multi).tolist(), first.tolist()):
        if flat_costs[g] is not None:
            total[at: at + len(flat_costs[g])] = flat_costs[g]
    # The LM state before each position of each path is its packed history.
    states = np.empty((count, width), dtype=np.uint64)
    states[:, 0] = lm.initial_state(bos)
    for t in range(1, width):
        states[:, t] = ((states[:, t - 1] << _SHIFT) | words[:, t - 1]) & state_mask
    lp, state = score(states[segment, position], word.astype(np.uint64))
    total += lp
    group_sizes = sizes[multi]
    chosen = np.fromiter(chain.from_iterable(paths), dtype=np.intp, count=len(sizes))[multi]
    rows = np.arange(len(word))
    if top is not None and len(word) and group_sizes.max() > top:
        ranked = np.lexsort((-total, np.repeat(np.arange(len(first)), group_sizes)))
        rank = np.empty(len(word), dtype=np.intp)
        rank[ranked] = np.arange(len(word)) - np.repeat(first, group_sizes)
        keep = (rank < top) | (index == np.repeat(chosen, group_sizes))
        total[~keep] = -np.inf
        rows, state = rows[keep], state[keep]
    for k in range(1, order):
        at = position[rows] + k
        live = at <= lengths[segment[rows]]
        lp, state = score(state, words[segment[rows], np.minimum(at, width - 1)])
        total[rows] += np.where(live, lp, 0.0)
    return Swaps(segment, position, word, index, total, first, first + chosen)


def posteriors(lat: Lattices, paths: list[list[int]], lm, bos: int, eos: int,
               plain: Callable[[int], int]) -> dict[int, list[tuple[int, float]]]:
    """Token index -> [(word id, probability)], best first; `plain` maps a name symbol
    (^hà) back to its form."""
    swaps = swap_scores(lat, paths, lm, bos, eos)
    probs = swaps.probabilities()
    result: dict[int, list[tuple[int, float]]] = {}
    bounds = np.append(swaps.starts, len(probs)).tolist()
    words, ps, segs, pos = swaps.word.tolist(), probs.tolist(), swaps.segment.tolist(), swaps.position.tolist()
    for a, b in zip(bounds[:-1], bounds[1:]):
        by_form: dict[int, float] = {}  # a form offered as itself and as a name: one entry
        for c, p in zip(words[a:b], ps[a:b]):
            form = plain(c)
            by_form[form] = by_form.get(form, 0.0) + p
        result[lat.positions[segs[a]][pos[a]]] = sorted(by_form.items(), key=lambda e: -e[1])
    return result
