"""How sure the decoder is of each restored word, for ``explain``.

For every position with several candidates, each candidate's probability given the rest
of the chosen path: a softmax over the scores of the path with that one word swapped.  A
word changes the LM scores of itself and the next order-1 words only, so each swap is
scored over that window, all swaps of a segment at once.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .lattice import Lattices


def posteriors(lat: Lattices, paths: list[list[int]], lm, bos: int, eos: int,
               plain: Callable[[int], int]) -> dict[int, list[tuple[int, float]]]:
    """Token index -> [(word id, probability)], best first; `plain` maps a name symbol
    (^hà) back to its form."""
    window = lm.order
    result: dict[int, list[tuple[int, float]]] = {}
    for seg, lattice, cost, path in zip(lat.positions, lat.lattices, lat.costs, paths):
        words = [cands[p] for cands, p in zip(lattice, path)] + [eos]
        states = [lm.initial_state(bos)]
        for w in words[:-1]:
            _, nxt = lm.score(np.array([states[-1]], dtype=np.uint64), np.array([w], dtype=np.uint64))
            states.append(int(nxt[0]))
        pairs = [(t, c) for t, cands in enumerate(lattice) if len(cands) > 1 for c in cands]
        if not pairs:
            continue
        state = np.array([states[t] for t, _ in pairs], dtype=np.uint64)
        total = np.array([cost[t][j] if cost[t] is not None else 0.0
                          for t, cands in enumerate(lattice) if len(cands) > 1 for j in range(len(cands))])
        for k in range(window):
            pos = np.array([t + k for t, _ in pairs])
            live = pos < len(words)
            word = np.array([c if k == 0 else words[min(t + k, len(words) - 1)] for t, c in pairs],
                            dtype=np.uint64)
            lp, state = lm.score(state, word)
            total += np.where(live, lp, 0.0)
        by_position: dict[int, list[tuple[int, float]]] = {}
        for (t, c), score in zip(pairs, total):
            by_position.setdefault(t, []).append((c, float(score)))
        for t, scored in by_position.items():
            best = max(s for _, s in scored)
            weights = [(c, float(np.exp(s - best))) for c, s in scored]
            norm = sum(w for _, w in weights)
            by_form: dict[int, float] = {}  # a form offered as itself and as a name: one entry
            for c, w in weights:
                by_form[plain(c)] = by_form.get(plain(c), 0.0) + w / norm
            result[seg[t]] = sorted(by_form.items(), key=lambda e: -e[1])
    return result
