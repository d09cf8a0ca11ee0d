"""Syllable n-gram language model in backoff form (like an ARPA file), scored in batches.

The decoder only needs ``score(states, words) -> (logprobs, new_states)``: a *state* is
the packed history of the last ``order - 1`` word ids (16 bits per id in a uint64), the
same idea as KenLM's ``State``.  All arrays are numpy, so a whole beam of hypotheses is
scored with a handful of vectorised look-ups instead of a Python loop per n-gram.

Storage, per order n >= 2: sorted uint64 keys (the n ids packed), float16 natural-log
probabilities and, below the top order, float16 backoff weights.  Order 1 is indexed by
word id directly.
"""

from __future__ import annotations

import numpy as np

ID_BITS = 16
MAX_VOCAB = 1 << ID_BITS
ID_MASK = np.uint64(MAX_VOCAB - 1)
_SHIFT = np.uint64(ID_BITS)


def history_mask(length: int) -> np.uint64:
    """Mask that keeps the last `length` ids of a packed history."""
    return np.uint64((1 << (ID_BITS * length)) - 1) if length < 4 else np.uint64(0xFFFFFFFFFFFFFFFF)


def pack(ids) -> int:
    """Pack a sequence of word ids (oldest first) into one integer key."""
    value = 0
    for i in ids:
        value = (value << ID_BITS) | int(i)
    return value


class NgramLM:
    """A backoff n-gram model over integer word ids."""

    def __init__(self, unigram_logp, unigram_backoff, keys, logps, backoffs):
        # keys[n], logps[n] for n = 2..order; backoffs[n] for n = 2..order-1.
        self.order = len(keys) + 1
        self.unigram_logp = np.asarray(unigram_logp, dtype=np.float32)
        self.unigram_backoff = np.asarray(unigram_backoff, dtype=np.float32)
        self.keys = [np.asarray(k, dtype=np.uint64) for k in keys]
        self.logps = [np.asarray(p) for p in logps]
        self.backoffs = [np.asarray(b) for b in backoffs]
        self.vocab_size = len(self.unigram_logp)
        self.state_mask = history_mask(self.order - 1)

    def initial_state(self, bos_id: int) -> int:
        """The state at the start of a segment: the history is just <s>."""
        return bos_id

    def _find(self, n: int, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of `query` keys in the order-n table and whether each was found."""
        table = self.keys[n - 2]
        if not len(table):
            return np.zeros(len(query), dtype=np.intp), np.zeros(len(query), dtype=bool)
        pos = np.searchsorted(table, query)
        pos = np.minimum(pos, len(table) - 1)
        return pos, table[pos] == query

    def backoff(self, states: np.ndarray, length: int) -> np.ndarray:
        """Backoff weight of the last `length` words of each history (0 where unseen)."""
        if length == 1:
            return self.unigram_backoff[(states & ID_MASK).astype(np.intp)]
        weights = self.backoffs[length - 2]
        if not len(weights):
            return np.zeros(len(states), dtype=np.float32)
        pos, found = self._find(length, states & history_mask(length))
        return np.where(found, weights[pos].astype(np.float32), 0.0)

    def score(self, states: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """log P(word | state) for each pair, and the states after each word."""
        states = np.asarray(states, dtype=np.uint64)
        return self.expand(states, np.arange(len(states)), words)

    def expand(self, states: np.ndarray, parents: np.ndarray, words: np.ndarray):
        """Like ``score(states[parents], words)``, with the work that depends only on
        the history (backoff weights) done once per state rather than once per word.

        The build keeps every suffix of a kept n-gram, so an n-gram can only be in the
        model if its (n-1)-word suffix is; the look-up at each order is therefore made
        only for the pairs found at the order below.
        """
        words = np.asarray(words, dtype=np.uint64)
        parents = np.asarray(parents, dtype=np.intp)
        # tail[j] = sum of the backoff weights of the last j, j+1, .., order-1 words of
        # each history: what a word found only at order j pays on top of its n-gram.
        tail = [np.zeros(len(states), dtype=np.float32)] * (self.order + 1)
        for j in range(self.order - 1, 0, -1):
            tail[j] = tail[j + 1] + self.backoff(states, j)
        last = states[parents]
        result = self.unigram_logp[words.astype(np.intp)] + tail[1][parents]
        live = np.arange(len(words))  # pairs found at the previous order
        for n in range(2, self.order + 1):
            query = ((last[live] & history_mask(n - 1)) << _SHIFT) | words[live]
            pos, found = self._find(n, query)
            live, pos = live[found], pos[found]
            if not len(live):
                break
            result[live] = self.logps[n - 2][pos] + tail[n][parents[live]]
        new_states = ((last << _SHIFT) | words) & self.state_mask
        return result, new_states

    def sequence_logprob(self, ids: list[int], bos_id: int, eos_id: int) -> float:
        """Total log-probability of one segment (used by tests and diagnostics)."""
        state = np.array([self.initial_state(bos_id)], dtype=np.uint64)
        total = 0.0
        for w in list(ids) + [eos_id]:
            lp, state = self.score(state, np.array([w], dtype=np.uint64))
            total += float(lp[0])
        return total
