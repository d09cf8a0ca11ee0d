"""Beam search over candidate lattices, many segments at once.

A lattice is one segment: a list of positions, each a non-empty tuple of word ids (one
id for a fixed token, several for a word being restored).  The decoder needs only a
scorer with ``score(states, words) -> (logprobs, new_states)`` and ``initial_state``.

All segments of a batch advance in lockstep, one position per step, so each step is a
few numpy operations over every live hypothesis of every segment instead of a Python
loop per hypothesis.  Hypotheses with the same LM state are recombined (the lower one
can never win), so with a beam at least as wide as the number of states the search is
exact Viterbi; ``tests/test_decode.py`` checks it against brute force.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np


class Scorer(Protocol):
    def initial_state(self, bos_id: int) -> int: ...

    def score(self, states: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


Lattice = Sequence[Sequence[int]]


_SEG_SHIFT = np.uint64(48)
_MAX_BATCH = 1 << 16  # segments per lockstep batch, so (segment, 48-bit state) fits in 64 bits


def decode(lattices: Sequence[Lattice], scorer: Scorer, bos_id: int, eos_id: int,
           beam: int = 8, costs: Sequence[Sequence[Sequence[float] | None]] | None = None) -> list[list[int]]:
    """Best candidate index at every position of every lattice.

    `costs`, if given, mirrors `lattices`: per position either None or one log-score per
    candidate added to the LM's (a prior or channel score)."""
    if len(lattices) > _MAX_BATCH:
        return [path for i in range(0, len(lattices), _MAX_BATCH)
                for path in decode(lattices[i: i + _MAX_BATCH], scorer, bos_id, eos_id, beam,
                                   None if costs is None else costs[i: i + _MAX_BATCH])]
    results: list[list[int]] = [[] for _ in lattices]
    order = sorted((i for i, lat in enumerate(lattices) if len(lat)), key=lambda i: -len(lattices[i]))
    if not order:
        return results
    lengths = np.array([len(lattices[i]) for i in order])
    # Candidate ids of (segment rank r, step t) live at flat[start[r][t] : start[r][t] + count[r][t]].
    flat: list[int] = []
    flat_cost: list[float] = []
    starts: list[list[int]] = []
    counts: list[list[int]] = []
    for i in order:
        s_row, c_row = [], []
        cost_row = costs[i] if costs is not None else None
        for t, cands in enumerate(lattices[i]):
            s_row.append(len(flat))
            c_row.append(len(cands))
            flat.extend(cands)
            extra = cost_row[t] if cost_row is not None else None
            flat_cost.extend(extra if extra is not None else [0.0] * len(cands))
        starts.append(s_row)
        counts.append(c_row)
    flat_ids = np.array(flat, dtype=np.uint64)
    flat_costs = np.array(flat_cost)
    max_len = int(lengths[0])
    start_at = np.zeros((len(order), max_len), dtype=np.int64)
    count_at = np.zeros((len(order), max_len), dtype=np.int64)
    for r, (s_row, c_row) in enumerate(zip(starts, counts)):
        start_at[r, : len(s_row)] = s_row
        count_at[r, : len(c_row)] = c_row

    init = scorer.initial_state(bos_id)
    hyp_seg = np.arange(len(order))
    hyp_state = np.full(len(order), init, dtype=np.uint64)
    hyp_score = np.zeros(len(order))
    # Per step: parent (index into the hypotheses expanded at this step), candidate
    # index, and `kept`: where segments ended at this step, the indices of the
    # hypotheses that went on (the next step's parents index into those).
    history: list[list] = []
    finals: dict[int, tuple[int, int]] = {}  # rank -> (last step, hyp index at that step)
    expand = getattr(scorer, "expand", None) or (lambda st, par, w: scorer.score(st[par], w))
    for t in range(max_len):
        n_cand = count_at[hyp_seg, t]
        parent = np.repeat(np.arange(len(hyp_seg)), n_cand)
        first = np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
        within = np.arange(len(parent)) - first
        seg = hyp_seg[parent]
        cand_at = start_at[seg, t] + within
        words = flat_ids[cand_at]
        logp, state = expand(hyp_state, parent, words)
        score = hyp_score[parent] + logp + flat_costs[cand_at]
        # Recombine hypotheses of a segment that reached the same LM state: only the
        # best can win.  Segment and state share one sort key when states fit 48 bits.
        if state.max(initial=0) >> _SEG_SHIFT:
            idx = np.lexsort((-score, state, seg))
            same = (seg[idx][1:] == seg[idx][:-1]) & (state[idx][1:] == state[idx][:-1])
        else:
            group = (seg.astype(np.uint64) << _SEG_SHIFT) | state
            idx = np.lexsort((-score, group))
            same = group[idx][1:] == group[idx][:-1]
        idx = idx[np.r_[True, ~same]]
        # Beam: the `beam` best per segment.  Always sorted the same way, so that ties
        # fall the same whatever other segments share the batch.
        idx = idx[np.lexsort((-score[idx], seg[idx]))]
        seg_b = seg[idx]
        group_first = np.r_[0, np.flatnonzero(seg_b[1:] != seg_b[:-1]) + 1]
        rank = np.arange(len(idx)) - np.repeat(group_first, np.diff(np.r_[group_first, len(idx)]))
        idx = idx[rank < beam]
        hyp_seg, hyp_state, hyp_score = seg[idx], state[idx], score[idx]
        history.append([parent[idx], within[idx], None])
        # Segments whose last position this was: add </s>, pick the best, drop them.
        ending = lengths[hyp_seg] == t + 1
        if ending.any():
            end_idx = np.flatnonzero(ending)
            eos_lp, _ = scorer.score(hyp_state[end_idx], np.full(len(end_idx), eos_id, dtype=np.uint64))
            total = hyp_score[end_idx] + eos_lp
            for r in np.unique(hyp_seg[end_idx]):
                mine = end_idx[hyp_seg[end_idx] == r]
                finals[int(r)] = (t, int(mine[np.argmax(total[hyp_seg[end_idx] == r])]))
            kept = np.flatnonzero(~ending)
            hyp_seg, hyp_state, hyp_score = hyp_seg[kept], hyp_state[kept], hyp_score[kept]
            history[-1][2] = kept
        if not len(hyp_seg):
            break
    for r, i in enumerate(order):
        t, h = finals[r]
        path = []
        while t >= 0:
            parents, cands, _ = history[t]
            path.append(int(cands[h]))
            h = int(parents[h])
            t -= 1
            if t >= 0 and history[t][2] is not None:
                h = int(history[t][2][h])
        path.reverse()
        results[i] = path
    return results
