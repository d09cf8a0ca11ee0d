"""The batched beam decoder against brute force on tiny lattices with toy scorers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.decode import decode

BOS, EOS = 0, 1
SHIFT = np.uint64(16)
MASK = np.uint64(0xFFFF)


class BigramScorer:
    """log P(w | previous word) from a table; state = previous word id."""

    def __init__(self, table: np.ndarray):
        self.table = np.asarray(table, dtype=np.float64)
        self.calls = 0

    def initial_state(self, bos_id: int) -> int:
        return bos_id

    def score(self, states, words):
        self.calls += 1
        states = np.asarray(states, dtype=np.uint64)
        words = np.asarray(words, dtype=np.uint64)
        assert states.shape == words.shape
        lp = self.table[states.astype(np.intp), words.astype(np.intp)]
        return lp, words.copy()

    def path_score(self, words) -> float:
        prev, total = BOS, 0.0
        for w in list(words) + [EOS]:
            total += self.table[prev, w]
            prev = w
        return total


class TrigramScorer:
    """log P(w | last two words) from a table; state = the two ids packed (16 bits each)."""

    def __init__(self, table: np.ndarray):
        self.table = np.asarray(table, dtype=np.float64)

    def initial_state(self, bos_id: int) -> int:
        return (bos_id << 16) | bos_id

    def score(self, states, words):
        states = np.asarray(states, dtype=np.uint64)
        words = np.asarray(words, dtype=np.uint64)
        a = (states >> SHIFT) & MASK
        b = states & MASK
        lp = self.table[a.astype(np.intp), b.astype(np.intp), words.astype(np.intp)]
        return lp, ((b << SHIFT) | words)

    def path_score(self, words) -> float:
        a, b, total = BOS, BOS, 0.0
        for w in list(words) + [EOS]:
            total += self.table[a, b, w]
            a, b = b, w
        return total


def brute_force(lattice, scorer) -> float:
    return max(scorer.path_score(path) for path in itertools.product(*lattice))


def tables(vocab: int, order: int):
    shape = (vocab,) * order
    size = vocab ** order
    # Log-probabilities in a modest range, rounded to quarters so that ties happen; drawn
    # from a seed (plus a hypothesis-chosen coarseness) to keep example generation cheap.
    def make(args):
        seed, levels = args
        rng = np.random.default_rng(seed)
        return -rng.integers(0, levels, size=size).reshape(shape).astype(np.float64) / 4.0

    return st.tuples(st.integers(0, 2 ** 32 - 1), st.sampled_from([2, 5, 41])).map(make)


def lattices(vocab: int, max_len: int = 6, max_cands: int = 4):
    position = st.lists(st.integers(2, vocab - 1), min_size=1, max_size=max_cands, unique=True).map(tuple)
    return st.lists(st.lists(position, min_size=0, max_size=max_len), min_size=1, max_size=5)


def check_paths(lats, paths, scorer, beam):
    assert len(paths) == len(lats)
    for lat, path in zip(lats, paths):
        assert len(path) == len(lat)
        for cands, pick in zip(lat, path):
            assert 0 <= pick < len(cands)
        product = math.prod(len(c) for c in lat)
        if beam >= product:
            chosen = [cands[pick] for cands, pick in zip(lat, path)]
            if not lat:
                continue
            got = scorer.path_score(chosen)
            assert got == pytest.approx(brute_force(lat, scorer), abs=1e-9)


VOCAB = 7


@given(tables(VOCAB, 2), lattices(VOCAB))
@settings(max_examples=300, deadline=None)
def test_bigram_exact_with_wide_beam(table, lats):
    scorer = BigramScorer(table)
    beam = max([math.prod(len(c) for c in lat) for lat in lats] + [1])
    paths = decode(lats, scorer, BOS, EOS, beam=beam)
    check_paths(lats, paths, scorer, beam)


@given(tables(VOCAB, 2), lattices(VOCAB))
@settings(max_examples=200, deadline=None)
def test_bigram_exact_with_beam_of_number_of_states(table, lats):
    # Recombination by state makes a beam as wide as the number of distinct states
    # (here: candidates per position, at most 4) already exact.
    scorer = BigramScorer(table)
    paths = decode(lats, scorer, BOS, EOS, beam=4)
    check_paths(lats, paths, scorer, beam=10 ** 9)


@given(tables(VOCAB, 3), lattices(VOCAB))
@settings(max_examples=200, deadline=None)
def test_trigram_exact_with_beam_of_number_of_states(table, lats):
    # states are the last two words: at most 4 * 4 distinct ones per step
    scorer = TrigramScorer(table)
    paths = decode(lats, scorer, BOS, EOS, beam=16)
    check_paths(lats, paths, scorer, beam=10 ** 9)


@given(tables(VOCAB, 3), lattices(VOCAB))
@settings(max_examples=300, deadline=None)
def test_trigram_exact_with_wide_beam(table, lats):
    scorer = TrigramScorer(table)
    beam = max([math.prod(len(c) for c in lat) for lat in lats] + [1])
    paths = decode(lats, scorer, BOS, EOS, beam=beam)
    check_paths(lats, paths, scorer, beam)


@given(tables(VOCAB, 3), lattices(VOCAB), st.integers(1, 3))
@settings(max_examples=100, deadline=None)
def test_narrow_beam_returns_valid_paths(table, lats, beam):
    scorer = TrigramScorer(table)
    paths = decode(lats, scorer, BOS, EOS, beam=beam)
    check_paths(lats, paths, scorer, beam)
    # with a single candidate everywhere there is only one path
    for lat, path in zip(lats, paths):
        if all(len(c) == 1 for c in lat):
            assert path == [0] * len(lat)


@given(tables(VOCAB, 2), st.data())
@settings(max_examples=30, deadline=None)
def test_batch_equals_one_by_one(table, data):
    """Many segments of different lengths in one call decode as if each were alone."""
    scorer = BigramScorer(table)
    lats = data.draw(st.lists(
        st.lists(st.lists(st.integers(2, VOCAB - 1), min_size=1, max_size=3, unique=True).map(tuple),
                 min_size=0, max_size=12),
        min_size=20, max_size=40,
    ))
    together = decode(lats, scorer, BOS, EOS, beam=9)
    for lat, path in zip(lats, together):
        if not lat:
            assert path == []
            continue
        alone = decode([lat], scorer, BOS, EOS, beam=9)[0]
        chosen = [c[p] for c, p in zip(lat, path)]
        chosen_alone = [c[p] for c, p in zip(lat, alone)]
        assert scorer.path_score(chosen) == pytest.approx(scorer.path_score(chosen_alone), abs=1e-9)
        # 9 >= 3 states, so both are optimal
        if math.prod(len(c) for c in lat) <= 200:
            assert scorer.path_score(chosen) == pytest.approx(brute_force(lat, scorer), abs=1e-9)


def test_many_segments_of_different_lengths_are_batched():
    rng = np.random.default_rng(7)
    table = np.log(rng.dirichlet(np.ones(VOCAB), size=VOCAB))
    scorer = BigramScorer(table)
    lats = []
    for n in range(200):
        length = n % 9
        lats.append([tuple(rng.choice(np.arange(2, VOCAB), size=rng.integers(1, 4), replace=False))
                     for _ in range(length)])
    paths = decode(lats, scorer, BOS, EOS, beam=5)
    for lat, path in zip(lats, paths):
        chosen = [c[p] for c, p in zip(lat, path)]
        assert len(path) == len(lat)
        if lat:
            assert scorer.path_score(chosen) == pytest.approx(brute_force(lat, scorer), abs=1e-9)
    # lockstep: a handful of vectorised calls per step, not one per segment
    assert scorer.calls <= 2 * 9


def test_empty_inputs():
    scorer = BigramScorer(np.zeros((VOCAB, VOCAB)))
    assert decode([], scorer, BOS, EOS) == []
    assert decode([[], []], scorer, BOS, EOS) == [[], []]
    assert decode([[], [(2, 3)], []], scorer, BOS, EOS) == [[], [0], []]


def test_prefers_high_scoring_path():
    table = np.full((VOCAB, VOCAB), -10.0)
    # <s> 2 3 4 </s> is the only good path
    table[BOS, 2] = table[2, 3] = table[3, 4] = table[4, EOS] = 0.0
    scorer = BigramScorer(table)
    lat = [(5, 2), (3, 6), (6, 5, 4)]
    assert decode([lat], scorer, BOS, EOS, beam=1) == [[1, 0, 2]]


class HashedBigramScorer(BigramScorer):
    """The same bigram model with states spread over all 64 bits (a hashed history, as a
    scorer with a richer history might use): the decoder should not care."""

    MULT = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, table):
        super().__init__(table)
        n = table.shape[0]
        self.state_of = (np.arange(n, dtype=np.uint64) * self.MULT) | np.uint64(1 << 63)
        self.word_of = {int(s): w for w, s in enumerate(self.state_of)}

    def initial_state(self, bos_id):
        return int(self.state_of[bos_id])

    def score(self, states, words):
        prev = np.array([self.word_of[int(s)] for s in np.asarray(states, dtype=np.uint64)], dtype=np.uint64)
        lp, _ = super().score(prev, words)
        return lp, self.state_of[np.asarray(words, dtype=np.intp)]


# Regression (fixed in the source while these tests were written): decode() recombines on (segment << 48) | state, so a scorer whose states use
# the top 16 bits merges hypotheses of different segments; the Scorer protocol does not
# say states must stay below 2**48
@pytest.mark.parametrize("lats", [
    [[(2,)], [(2,)], [(2,)]],
    [[(2, 3, 4, 5)], [(2, 3, 4, 5)]],
    [[(2, 3), (4, 5)], [(3, 2), (5, 4)], [(6,)]],
])
def test_states_may_use_all_64_bits(lats):
    rng = np.random.default_rng(1)
    table = np.round(np.log(rng.dirichlet(np.ones(VOCAB), size=VOCAB)), 3)
    scorer = HashedBigramScorer(table)
    paths = decode(lats, scorer, BOS, EOS, beam=4)
    check_paths(lats, paths, scorer, beam=10 ** 9)


def test_more_segments_than_one_batch():
    # more lattices than fit one lockstep batch (the segment rank shares a 64-bit key)
    rng = np.random.default_rng(5)
    table = np.log(rng.dirichlet(np.ones(VOCAB), size=VOCAB))
    scorer = BigramScorer(table)
    base = [[(2, 3), (4, 5, 6)], [(6,)], [], [(3, 2), (2, 3), (5, 4)]]
    lats = base * 17000  # 68 000 lattices
    paths = decode(lats, scorer, BOS, EOS, beam=4)
    expected = [decode([lat], scorer, BOS, EOS, beam=4)[0] for lat in base]
    assert paths == expected * 17000


# Regression (fixed in the source while these tests were written): ties are broken by the order of the hypotheses, and that order depends on
# whether any *other* segment of the batch overflowed the beam, so a segment's path
# depends on what it is batched with (restore_lines and restore then disagree on equal-
# score choices)
def test_paths_do_not_depend_on_other_segments():
    rng = np.random.default_rng(3)
    table = -rng.integers(0, 2, size=(VOCAB, VOCAB)).astype(np.float64) / 4.0  # many ties
    scorer = BigramScorer(table)
    lat = [(2,), (2, 4)]
    other = [(2,), (2, 3, 4)]
    alone = decode([lat], scorer, BOS, EOS, beam=2)[0]
    together = decode([lat, other], scorer, BOS, EOS, beam=2)[0]
    assert alone == together


@given(tables(VOCAB, 3), lattices(VOCAB), lattices(VOCAB), st.integers(1, 4))
@settings(max_examples=300, deadline=None)
def test_paths_do_not_depend_on_the_batch(table, lats, others, beam):
    """Ties included: a segment decodes to the same path whatever it is batched with."""
    scorer = TrigramScorer(table)
    alone = decode(lats, scorer, BOS, EOS, beam=beam)
    assert decode(lats + others, scorer, BOS, EOS, beam=beam)[: len(lats)] == alone
    assert decode(others + lats, scorer, BOS, EOS, beam=beam)[len(others):] == alone
