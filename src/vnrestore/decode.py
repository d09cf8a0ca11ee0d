"""Beam search over candidate lattices, many segments at once.

A lattice is one segment: a list of positions, each a non-empty tuple of word ids (one
id for a fixed token, several for a word being restored).  The decoder needs only a
scorer with ``score(states, words) -> (logprobs, new_states)`` and ``initial_state``;
a scorer may also offer ``expand(states, parents, words)``, equal to
``score(states[parents], words)`` but free to do per-history work once per state
(``NgramLM`` does).  Per-candidate prior scores can be added through ``costs``.

All segments of a batch advance in lockstep, one position per step, so each step is a
few numpy operations over every live hypothesis of every segment instead of a Python
loop per hypothesis.  Hypotheses with the same LM state are recombined (the lower one
can never win), so with a beam at least as wide as the number of states the search is
exact Viterbi; ``tests/test_decode.py`` checks it against brute force.

A scorer that offers ``compiled()`` (``NgramLM`` over a model file's tables) is decoded
by the C extension ``vnrestore._native`` instead, with the same output (the same float
sums in the same order, the same tie-breaking; ``tests/test_native.py``) in a fraction
of the time.  ``VNRESTORE_PURE=1`` in the environment selects this module's pure path.
"""

from __future__ import annotations

import os
from typing import Protocol, Sequence

import numpy as np


class Scorer(Protocol):
    def initial_state(self, bos_id: int) -> int: ...

    def score(self, states: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


Lattice = Sequence[Sequence[int]]
Costs = Sequence[Sequence[Sequence[float] | None]]

_SEG_SHIFT = np.uint64(48)
_MAX_BATCH = 1 << 16  # segments per lockstep batch, so (segment, 48-bit state) fits in 64 bits


def decode(lattices: Sequence[Lattice], scorer: Scorer, bos_id: int, eos_id: int,
           beam: int = 8, costs: Costs | None = None) -> list[list[int]]:
    """Best candidate index at every position of every lattice.

    `costs`, if given, mirrors `lattices`: per position either None or one log-score per
    candidate added to the LM's (a prior or channel score)."""
    compiled = _compiled(scorer)
    if compiled is not None:
        return compiled.decode(lattices, costs, bos_id, eos_id, beam)
    if len(lattices) > _MAX_BATCH:
        return [path for i in range(0, len(lattices), _MAX_BATCH)
                for path in decode(lattices[i: i + _MAX_BATCH], scorer, bos_id, eos_id, beam,
                                   None if costs is None else costs[i: i + _MAX_BATCH])]
    results: list[list[int]] = [[] for _ in lattices]
    # Longest first, so the segments still running at step t are ranks 0..k.
    order = sorted((i for i, lat in enumerate(lattices) if len(lat)), key=lambda i: -len(lattices[i]))
    if not order:
        return results
    table = _CandidateTable(lattices, costs, order)
    lengths = np.array([len(lattices[i]) for i in order])
    expand = getattr(scorer, "expand", None) or (lambda st, par, w: scorer.score(st[par], w))

    hyp_seg = np.arange(len(order))
    hyp_state = np.full(len(order), scorer.initial_state(bos_id), dtype=np.uint64)
    hyp_score = np.zeros(len(order))
    # Per step: parent (index into the hypotheses expanded at this step), candidate
    # index, and `kept`: where segments ended at this step, the indices of the
    # hypotheses that went on (the next step's parents index into those).
    history: list[list] = []
    finals: dict[int, tuple[int, int]] = {}  # rank -> (last step, hyp index at that step)
    for t in range(int(lengths[0])):
        n_cand = table.count_at[hyp_seg, t]
        parent = np.repeat(np.arange(len(hyp_seg)), n_cand)
        within = np.arange(len(parent)) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
        seg = hyp_seg[parent]
        cand_at = table.start_at[seg, t] + within
        logp, state = expand(hyp_state, parent, table.ids[cand_at])
        score = hyp_score[parent] + logp + table.costs[cand_at]
        idx = _best_per_segment(_recombine(seg, state, score), seg, score, beam)
        hyp_seg, hyp_state, hyp_score = seg[idx], state[idx], score[idx]
        history.append([parent[idx], within[idx], None])
        # Segments whose last position this was: add </s>, pick the best, drop them.
        ending = lengths[hyp_seg] == t + 1
        if ending.any():
            end_idx = np.flatnonzero(ending)
            eos_lp, _ = scorer.score(hyp_state[end_idx], np.full(len(end_idx), eos_id, dtype=np.uint64))
            total = hyp_score[end_idx] + eos_lp
            for r in np.unique(hyp_seg[end_idx]):
                mine = hyp_seg[end_idx] == r
                finals[int(r)] = (t, int(end_idx[mine][np.argmax(total[mine])]))
            kept = np.flatnonzero(~ending)
            hyp_seg, hyp_state, hyp_score = hyp_seg[kept], hyp_state[kept], hyp_score[kept]
            history[-1][2] = kept
        if not len(hyp_seg):
            break
    for r, i in enumerate(order):
        results[i] = _backtrack(history, *finals[r])
    return results


def pure_selected() -> bool:
    """Whether VNRESTORE_PURE asks for the pure path (read at each call, so tests and
    users can switch)."""
    return os.environ.get("VNRESTORE_PURE", "") not in ("", "0")


def _compiled(scorer):
    make = getattr(scorer, "compiled", None)
    return None if make is None or pure_selected() else make()


def fastest_scorer(lm):
    """``score(states, words)`` over arrays by what scores `lm` fastest: its compiled
    twin (the same floats, written into arrays by ``score_into``) where there is one,
    else `lm` itself."""
    compiled = _compiled(lm)
    if compiled is None:
        return lm.score

    def score(states: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        states = np.ascontiguousarray(states, dtype=np.uint64)
        words = np.ascontiguousarray(words, dtype=np.uint64)
        logps, new = np.empty(len(states), dtype=np.float64), np.empty(len(states), dtype=np.uint64)
        compiled.score_into(states, words, logps, new)
        return logps, new
    return score


class _CandidateTable:
    """The candidates of all lattices flattened into arrays: those of (segment rank r,
    step t) are ``ids[start_at[r, t] : start_at[r, t] + count_at[r, t]]``."""

    def __init__(self, lattices: Sequence[Lattice], costs: Costs | None, order: list[int]):
        ids: list[int] = []
        extra: list[float] = []
        max_len = len(lattices[order[0]])
        self.start_at = np.zeros((len(order), max_len), dtype=np.int64)
        self.count_at = np.zeros((len(order), max_len), dtype=np.int64)
        for r, i in enumerate(order):
            cost_row = costs[i] if costs is not None else None
            for t, cands in enumerate(lattices[i]):
                self.start_at[r, t] = len(ids)
                self.count_at[r, t] = len(cands)
                ids.extend(cands)
                cost = cost_row[t] if cost_row is not None else None
                extra.extend(cost if cost is not None else [0.0] * len(cands))
        self.ids = np.array(ids, dtype=np.uint64)
        self.costs = np.array(extra)


def _recombine(seg: np.ndarray, state: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of the best hypothesis of each (segment, LM state): only it can win.

    Returned in (segment, state) order; of equal best scores the lowest index.  One
    stable sort by group and a max per group (``reduceat``), rather than sorting by
    score too, which cost about twice as much."""
    if state.max(initial=0) >> _SEG_SHIFT:
        idx = np.lexsort((state, seg))
        same = (seg[idx][1:] == seg[idx][:-1]) & (state[idx][1:] == state[idx][:-1])
    else:  # segment and state share one sort key
        group = (seg.astype(np.uint64) << _SEG_SHIFT) | state
        idx = np.argsort(group, kind="stable")
        sorted_group = group[idx]
        same = sorted_group[1:] == sorted_group[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~same)))  # np.r_ is slower (Python-level parsing)
    sorted_score = score[idx]
    best = np.maximum.reduceat(sorted_score, starts)
    sizes = np.diff(starts, append=len(idx))
    position = np.where(sorted_score == np.repeat(best, sizes), np.arange(len(idx)), len(idx))
    return idx[np.minimum.reduceat(position, starts)]


def _best_per_segment(idx: np.ndarray, seg: np.ndarray, score: np.ndarray, beam: int) -> np.ndarray:
    """The `beam` best of `idx` per segment.  Always sorted the same way, so that ties
    fall the same whatever other segments share the batch."""
    idx = idx[np.lexsort((-score[idx], seg[idx]))]
    seg_sorted = seg[idx]
    group_first = np.flatnonzero(np.concatenate(([True], seg_sorted[1:] != seg_sorted[:-1])))
    rank = np.arange(len(idx)) - np.repeat(group_first, np.diff(group_first, append=len(idx)))
    return idx[rank < beam]


def _backtrack(history: list[list], t: int, h: int) -> list[int]:
    """Candidate indices of the path ending at hypothesis h of step t."""
    path = []
    while t >= 0:
        parents, cands, _ = history[t]
        path.append(int(cands[h]))
        h = int(parents[h])
        t -= 1
        if t >= 0 and history[t][2] is not None:
            h = int(history[t][2][h])
    path.reverse()
    return path
