"""Syllable n-gram language model in backoff form (like an ARPA file), scored in batches.

The decoder only needs ``score(states, words) -> (logprobs, new_states)``: a *state* is
the packed history of the last ``order - 1`` word ids (16 bits per id in a uint64), the
same idea as KenLM's ``State``.  All arrays are numpy, so a whole beam of hypotheses is
scored with a handful of vectorised look-ups instead of a Python loop per n-gram.

Order 1 is indexed by word id directly.  Each order n >= 2 is a *table* of packed keys
with a log-probability and, below the top order, a backoff weight:

* ``SortedTable`` (what the build computes with): sorted uint64 keys found by bisection.
* ``HashedTable`` (what a model file holds, format 2): the keys hashed into buckets,
  found in O(1) and stored in about half the bytes; see its docstring.
"""

from __future__ import annotations

import sys

import numpy as np

try:
    from . import _native  # the compiled decoder (setup.py builds it when it can)
except ImportError:  # not built: decode.py's pure path serves
    _native = None

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


_EMPTY_INDEX = np.zeros(0, dtype=np.intp)


class SortedTable:
    """Sorted packed keys with float values, searched by bisection (the build's form)."""

    def __init__(self, keys, logp, backoff=None):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.logp = np.asarray(logp)
        self.backoff = None if backoff is None else np.asarray(backoff)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into `query` of the keys present, in ascending order; their rows)."""
        if not len(self.keys):
            return _EMPTY_INDEX, _EMPTY_INDEX
        pos = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        which = np.flatnonzero(self.keys[pos] == query)
        return which, pos[which]

    def logps(self, rows: np.ndarray) -> np.ndarray:
        return self.logp[rows].astype(np.float32)

    def backoffs(self, rows: np.ndarray) -> np.ndarray:
        return self.backoff[rows].astype(np.float32)


# Odd multipliers of the key mixer (from splitmix64); any odd constant is a bijection.
_MIX1 = 0x9E3779B97F4A7C15
_MIX2 = 0xBF58476D1CE4E5B9
QUANT_LEVELS = 256


class HashedTable:
    """Packed n-gram keys hashed into buckets: an O(1) look-up in a compact, exact table.

    A key of ``bits`` bits (16 per word id) is mixed by a bijection of the ``bits``-bit
    integers (multiply by an odd constant, xor-shift, twice).  The top ``bucket_bits``
    bits of the mixed value name the key's bucket, the low ``bits - bucket_bits`` bits
    (the *remainder*) are what the table stores.  Because the mixer is a bijection,
    bucket and remainder together are the key: no false hits, unlike a fingerprint.
    Rows are sorted by mixed value, so bucket b holds rows ``offsets[b]:offsets[b+1]``
    and a look-up reads one ``offsets`` pair and compares a few adjacent remainders
    (on average ``len / 2**bucket_bits`` of them, chosen near 4 by the build).

    Values are 8-bit codes into a 256-entry float32 codebook per order and kind (see
    ``quantize``; KenLM's ``-q 8 -b 8`` quantises the same way in spirit); a backoff of
    exactly 0, the common case, keeps a code of its own.  For a table of 2.1 M trigrams this is 4 bytes of
    remainder + 1 of code + 1 of offsets per n-gram instead of 8 + 2.
    """

    def __init__(self, bits: int, bucket_bits: int, offsets, remainders, logp_codes, logp_book,
                 backoff_codes=None, backoff_book=None):
        self.bits = int(bits)
        self.bucket_bits = int(bucket_bits)
        self.offsets = offsets
        self.remainders = remainders
        self.logp_codes = logp_codes
        self.logp_book = np.asarray(logp_book, dtype=np.float32)
        self.backoff_codes = backoff_codes
        self.backoff_book = None if backoff_book is None else np.asarray(backoff_book, dtype=np.float32)
        self._rem_shift = np.uint64(self.bits - self.bucket_bits)
        self._rem_mask = np.uint64((1 << (self.bits - self.bucket_bits)) - 1)

    @property
    def backoff(self):
        """Present (not None) when the order carries backoff weights, like SortedTable."""
        return self.backoff_codes

    def __len__(self) -> int:
        return len(self.remainders)

    @staticmethod
    def mix(keys: np.ndarray, bits: int) -> np.ndarray:
        """A bijection of the `bits`-bit integers that spreads keys evenly over buckets."""
        mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
        half = np.uint64(bits // 2)
        # Array products wrap modulo 2**64 silently (only numpy scalars warn).
        h = (np.asarray(keys, dtype=np.uint64).reshape(-1) * np.uint64(_MIX1 & int(mask))) & mask
        h ^= h >> half
        h = (h * np.uint64(_MIX2 & int(mask))) & mask
        h ^= h >> half
        return h

    @classmethod
    def from_sorted(cls, table: SortedTable, bits: int, mean_bucket: float = 4.0) -> "HashedTable":
        """The hashed, quantised form of a build's table (`bits` = 16 x order)."""
        n = len(table)
        # Enough buckets for ~mean_bucket rows each, and at least 2**(bits-64) so that
        # a remainder fits in 64 bits.
        bucket_bits = max(0, bits - 64, int(np.round(np.log2(max(n, 1) / mean_bucket))))
        bucket_bits = min(bucket_bits, bits, 30)
        h = cls.mix(table.keys, bits)
        order = np.argsort(h, kind="stable")
        h = h[order]
        rem_bits = bits - bucket_bits
        rem_dtype = np.uint16 if rem_bits <= 16 else np.uint32 if rem_bits <= 32 else np.uint64
        buckets = (h >> np.uint64(rem_bits)).astype(np.int64) if rem_bits < 64 else np.zeros(n, np.int64)
        offsets = np.zeros((1 << bucket_bits) + 1, dtype=np.uint32 if n < 2 ** 32 else np.uint64)
        np.cumsum(np.bincount(buckets, minlength=1 << bucket_bits), out=offsets[1:])
        rem_mask = np.uint64((1 << rem_bits) - 1) if rem_bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
        remainders = (h & rem_mask).astype(rem_dtype)
        logp_codes, logp_book = quantize(table.logp[order].astype(np.float64))
        backoff_codes = backoff_book = None
        if table.backoff is not None:
            backoff_codes, backoff_book = quantize(table.backoff[order].astype(np.float64))
        return cls(bits, bucket_bits, offsets, remainders, logp_codes, logp_book, backoff_codes, backoff_book)

    def arrays(self, n: int) -> dict[str, np.ndarray]:
        """The arrays of this table as named in a model's layout (order n)."""
        out = {f"offsets{n}": self.offsets, f"remainders{n}": self.remainders,
               f"logp{n}": self.logp_codes, f"logp_book{n}": self.logp_book}
        if self.backoff_codes is not None:
            out.update({f"backoff{n}": self.backoff_codes, f"backoff_book{n}": self.backoff_book})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict, n: int, bits: int, bucket_bits: int) -> "HashedTable":
        return cls(bits, bucket_bits, arrays[f"offsets{n}"], arrays[f"remainders{n}"],
                   arrays[f"logp{n}"], arrays[f"logp_book{n}"],
                   arrays.get(f"backoff{n}"), arrays.get(f"backoff_book{n}"))

    def find(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into `query` of the keys present, in ascending order; their rows).

        Every row of each query's bucket is compared at once: ``np.repeat`` lays the
        buckets' rows end to end, so the cost is a few numpy passes over ~4 rows per
        query whatever the table size, with no Python loop."""
        if not len(self.remainders) or not len(query):
            return _EMPTY_INDEX, _EMPTY_INDEX
        h = self.mix(query, self.bits)
        bucket = (h >> self._rem_shift).astype(np.intp) if self.bucket_bits else np.zeros(len(h), np.intp)
        start = self.offsets[bucket].astype(np.intp)
        count = self.offsets[bucket + 1].astype(np.intp) - start
        ends = np.cumsum(count)
        total = int(ends[-1])
        if not total:
            return _EMPTY_INDEX, _EMPTY_INDEX
        owner = np.repeat(np.arange(len(query)), count)
        rows = np.arange(total) + np.repeat(start - (ends - count), count)
        hit = self.remainders[rows] == (h & self._rem_mask).astype(self.remainders.dtype)[owner]
        return owner[hit], rows[hit]

    def logps(self, rows: np.ndarray) -> np.ndarray:
        return self.logp_book[self.logp_codes[rows]]

    def backoffs(self, rows: np.ndarray) -> np.ndarray:
        return self.backoff_book[self.backoff_codes[rows]]


def quantize(values: np.ndarray, levels: int = QUANT_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    """8-bit codes and their codebook: `levels` evenly spaced values over the range, so
    no value moves by more than half a step (0.03 nats for the shipped trigrams' range of
    15).  Equal-count bins (KenLM's binning) have a slightly lower mean error but up to
    1 nat at the sparse ends of the range; the rare n-grams there matter as much.
    Exact zeros get a code of their own, so a backoff of 0 (no context) stays 0."""
    values = np.asarray(values, dtype=np.float64)
    codes = np.zeros(len(values), dtype=np.uint8)
    book = np.zeros(levels, dtype=np.float32)
    zero = values == 0
    first = 1 if zero.any() else 0
    rest = values[~zero]
    if not len(rest):
        return codes, book
    lo, hi = float(rest.min()), float(rest.max())
    steps = levels - first - 1
    step = (hi - lo) / steps if hi > lo else 1.0
    codes[~zero] = first + np.round((rest - lo) / step).astype(np.uint8)
    book[first:] = lo + step * np.arange(steps + 1)
    return codes, book


class NgramLM:
    """A backoff n-gram model over integer word ids."""

    def __init__(self, unigram_logp, unigram_backoff, keys, logps, backoffs):
        # keys[n], logps[n] for n = 2..order; backoffs[n] for n = 2..order-1.
        self.keys = [np.asarray(k, dtype=np.uint64) for k in keys]
        self.logps = [np.asarray(p) for p in logps]
        self.backoffs = [np.asarray(b) for b in backoffs]
        tables = [SortedTable(k, p, self.backoffs[i] if i < len(self.backoffs) else None)
                  for i, (k, p) in enumerate(zip(self.keys, self.logps))]
        self._setup(unigram_logp, unigram_backoff, tables)

    @classmethod
    def from_tables(cls, unigram_logp, unigram_backoff, tables) -> "NgramLM":
        """A model over ready tables (one per order from 2), e.g. HashedTables mapped
        from a model file."""
        lm = cls.__new__(cls)
        lm.keys = lm.logps = lm.backoffs = None  # only a build's sorted model has them
        lm._setup(unigram_logp, unigram_backoff, list(tables))
        return lm

    def _setup(self, unigram_logp, unigram_backoff, tables) -> None:
        self.tables = tables
        self.order = len(tables) + 1
        self.unigram_logp = np.asarray(unigram_logp, dtype=np.float32)
        self.unigram_backoff = np.asarray(unigram_backoff, dtype=np.float32)
        self.vocab_size = len(self.unigram_logp)
        self.state_mask = history_mask(self.order - 1)

    def initial_state(self, bos_id: int) -> int:
        """The state at the start of a segment: the history is just <s>."""
        return bos_id

    def compiled(self):
        """This model in the compiled decoder (``vnrestore._native.Model``, over the same
        arrays, not copied), or None where that decoder cannot read it: the extension
        was not built, the tables are a build's sorted ones, or the arrays are not in
        the machine's byte order.  Made once and kept (read-only, like the model)."""
        cached = getattr(self, "_compiled", False)
        if cached is not False:
            return cached
        compiled = None
        if _native is not None and all(isinstance(t, HashedTable) for t in self.tables):
            specs = [(t.bits, t.bucket_bits, t.offsets, t.remainders, t.logp_codes, t.logp_book,
                      t.backoff_codes, t.backoff_book) for t in self.tables]
            arrays = [self.unigram_logp, self.unigram_backoff] + [a for spec in specs for a in spec[2:]
                                                                  if a is not None]
            if sys.byteorder == "little" and all(np.asarray(a).dtype.isnative for a in arrays):
                try:
                    compiled = _native.Model(self.unigram_logp, self.unigram_backoff, specs)
                except ValueError:  # arrays it refuses (offsets out of range, ...): the pure path reads them
                    compiled = None
        self._compiled = compiled
        return compiled

    def backoff(self, states: np.ndarray, length: int) -> np.ndarray:
        """Backoff weight of the last `length` words of each history (0 where unseen)."""
        if length == 1:
            return self.unigram_backoff[(states & ID_MASK).astype(np.intp)]
        table = self.tables[length - 2]
        out = np.zeros(len(states), dtype=np.float32)
        if table.backoff is None or not len(table):
            return out
        which, rows = table.find(states & history_mask(length))
        out[which] = table.backoffs(rows)
        return out

    def has_bigrams(self, left, right) -> np.ndarray:
        """Whether the model holds each bigram (left[k], right[k]) (ids): for a model
        that keeps every bigram of its corpus, whether the corpus wrote the pair."""
        query = (np.asarray(left, dtype=np.uint64) << _SHIFT) | np.asarray(right, dtype=np.uint64)
        found = np.zeros(len(query), dtype=bool)
        found[self.tables[0].find(query)[0]] = True
        return found

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
            table = self.tables[n - 2]
            which, rows = table.find(query)
            live = live[which]
            if not len(live):
                break
            result[live] = table.logps(rows) + tail[n][parents[live]]
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


def file_arrays(lm: NgramLM, mean_bucket: float = 4.0) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays a model file stores for a build's (sorted) model, and the per-order
    table parameters model.json records beside their layout (format 2)."""
    arrays = {"unigram_logp": lm.unigram_logp, "unigram_backoff": lm.unigram_backoff}
    params = {}
    for n, table in enumerate(lm.tables, start=2):
        hashed = HashedTable.from_sorted(table, ID_BITS * n, mean_bucket)
        arrays.update(hashed.arrays(n))
        params[str(n)] = {"bits": hashed.bits, "bucket_bits": hashed.bucket_bits}
    return arrays, params


def from_file_arrays(arrays: dict[str, np.ndarray], params: dict, order: int) -> NgramLM:
    """The model over arrays mapped from a model file (the inverse of ``file_arrays``)."""
    tables = [HashedTable.from_arrays(arrays, n, params[str(n)]["bits"], params[str(n)]["bucket_bits"])
              for n in range(2, order + 1)]
    return NgramLM.from_tables(arrays["unigram_logp"], arrays["unigram_backoff"], tables)
