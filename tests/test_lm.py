"""The n-gram LM built by count_ngrams + kneser_ney: normalisation, scoring, states."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnrestore.build import count_ngrams, kneser_ney
from vnrestore.lm import ID_BITS, HashedTable, NgramLM, file_arrays, from_file_arrays, history_mask, pack, quantize
from vnrestore.model import _map_arrays, write_arrays

BOS, EOS = 0, 1  # as in the real vocabulary: SPECIAL_SYMBOLS starts with <s>, </s>


def make_corpus(seed: int, vocab: int, segments: int) -> np.ndarray:
    """Segments <s> w1 .. wn </s> over ids 2..vocab-1: Zipfian words mixed with a few
    recurring phrases, so that n-grams of every order occur once, twice, three times..."""
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, vocab - 1)
    zipf /= zipf.sum()
    phrases = [list(2 + rng.choice(vocab - 2, size=rng.integers(2, 6), p=zipf)) for _ in range(8)]
    ids: list[int] = []
    for _ in range(segments):
        ids.append(BOS)
        for _ in range(rng.integers(1, 5)):
            if rng.random() < 0.5:
                ids.extend(phrases[rng.integers(len(phrases))])
            else:
                ids.append(2 + int(rng.choice(vocab - 2, p=zipf)))
        ids.append(EOS)
    return np.array(ids, dtype=np.int32)


def build(seq: np.ndarray, vocab: int, order: int, cutoffs: dict[int, int]):
    with contextlib.redirect_stderr(io.StringIO()):  # the build logs its progress
        counts = count_ngrams(seq, order)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            return counts, *kneser_ney(counts, vocab, BOS, cutoffs)


def unpack(state: int, length: int) -> list[int]:
    mask = (1 << ID_BITS) - 1
    return [(state >> (ID_BITS * (length - 1 - k))) & mask for k in range(length)]


class ReferenceLM:
    """Textbook ARPA backoff look-up over the same arrays, one n-gram at a time."""

    def __init__(self, lm: NgramLM):
        self.lm = lm
        self.order = lm.order
        self.logp = [None, None] + [
            dict(zip(k.tolist(), p.astype(np.float64).tolist())) for k, p in zip(lm.keys, lm.logps)
        ]
        self.bo = [None, None] + [
            dict(zip(k.tolist(), b.astype(np.float64).tolist())) for k, b in zip(lm.keys, lm.backoffs)
        ]

    def backoff(self, ctx: list[int]) -> float:
        if len(ctx) == 1:
            return float(self.lm.unigram_backoff[ctx[0]])
        return self.bo[len(ctx)].get(pack(ctx), 0.0)

    def logprob(self, history: list[int], word: int) -> float:
        total = 0.0
        for n in range(self.order, 1, -1):
            ctx = history[len(history) - (n - 1):]
            value = self.logp[n].get(pack(ctx + [word]))
            if value is not None:
                return total + value
            total += self.backoff(ctx)
        return total + float(self.lm.unigram_logp[word])


# none, the defaults, rising, and falling with the order (a model that is suffix-closed
# only because the build keeps the suffixes of kept n-grams)
CUTOFFS = [{}, {2: 1, 3: 2, 4: 2}, {2: 1, 3: 2, 4: 3}, {2: 3, 3: 2, 4: 2}, {2: 4, 3: 1, 4: 1}]


@st.composite
def models(draw, orders=(2, 3, 4)):
    order = draw(st.sampled_from(orders))
    cutoffs = draw(st.sampled_from(CUTOFFS))
    vocab = draw(st.integers(12, 120))
    seq = make_corpus(draw(st.integers(0, 2 ** 32 - 1)), vocab, draw(st.integers(60, 300)))
    counts, lm, params = build(seq, vocab, order, cutoffs)
    # whatever the corpus, the discounts are usable: within [0, c]
    for ds in params["discounts"].values():
        assert all(0 <= d <= c + 1 for c, d in enumerate(ds)), params
    return seq, vocab, order, counts, lm, params


def histories(rng, seq, order, vocab, n=6):
    out = [[BOS] + [BOS] * (order - 2)]  # the start of a segment
    for _ in range(n):
        if rng.random() < 0.6:  # a history seen in the corpus
            i = int(rng.integers(0, len(seq) - order + 1))
            out.append([int(x) for x in seq[i: i + order - 1]])
        else:  # anything, mostly unseen
            out.append([int(x) for x in rng.integers(0, vocab, size=order - 1)])
    return out


@given(models(), st.integers(0, 2 ** 32 - 1))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_distributions_sum_to_one(model, seed):
    seq, vocab, order, _, lm, _ = model
    assert lm.order == order
    rng = np.random.default_rng(seed)
    words = np.arange(vocab, dtype=np.uint64)
    for hist in histories(rng, seq, order, vocab):
        state = np.uint64(pack(hist)) & lm.state_mask
        lp, _ = lm.score(np.full(vocab, state, dtype=np.uint64), words)
        assert not np.any(np.isnan(lp))
        p = np.exp(lp.astype(np.float64))
        # <s> is never predicted: the distribution is over every other id
        assert p[np.arange(vocab) != BOS].sum() == pytest.approx(1.0, abs=1e-2), hist
        assert p[BOS] < 1e-4


@given(models(), st.integers(0, 2 ** 32 - 1))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_score_matches_reference_backoff(model, seed):
    seq, vocab, order, _, lm, _ = model
    ref = ReferenceLM(lm)
    rng = np.random.default_rng(seed)
    hists = histories(rng, seq, order, vocab, n=10)
    states = np.array([pack(h) for h in hists], dtype=np.uint64) & lm.state_mask
    words = rng.integers(0, vocab, size=len(hists)).astype(np.uint64)
    # every word of the corpus after its own history, too
    for i in range(order - 1, min(len(seq), 200)):
        states = np.append(states, np.uint64(pack(seq[i - order + 1: i])) & lm.state_mask)
        words = np.append(words, np.uint64(seq[i]))
    lp, _ = lm.score(states, words)
    expected = [ref.logprob(unpack(int(s), order - 1), int(w)) for s, w in zip(states, words)]
    np.testing.assert_allclose(lp, expected, atol=2e-3)


@given(models(), st.lists(st.integers(2, 39), min_size=0, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_state_keeps_last_order_minus_one_ids(model, words):
    _, vocab, order, _, lm, _ = model
    words = [2 + w % (vocab - 2) for w in words]
    state = np.array([lm.initial_state(BOS)], dtype=np.uint64)
    history = [BOS]
    ref = ReferenceLM(lm)
    total = 0.0
    for w in words + [EOS]:
        lp, new_state = lm.score(state, np.array([w], dtype=np.uint64))
        # the history is <s> w1 .. wk; ids before <s> read as 0 = <s>
        padded = [BOS] * order + history
        assert float(lp[0]) == pytest.approx(ref.logprob(padded[-(order - 1):] if order > 1 else [], w), abs=2e-3)
        total += float(lp[0])
        history.append(w)
        expected = pack(history[-(order - 1):]) if order > 1 else 0
        assert int(new_state[0]) == expected
        assert int(new_state[0]) < 1 << (ID_BITS * (order - 1))
        state = new_state
    assert lm.sequence_logprob(words, BOS, EOS) == pytest.approx(total, abs=1e-4)


def test_state_packing_directly():
    # one bigram and one trigram that none of the queries below hit
    lm = NgramLM(np.log(np.full(8, 1 / 8)), np.zeros(8),
                 [np.array([pack([1, 1])], dtype=np.uint64), np.array([pack([1, 1, 1])], dtype=np.uint64)],
                 [np.array([-1.0], dtype=np.float16)] * 2, [np.array([0.0], dtype=np.float16)])
    assert lm.order == 3
    states = np.array([pack([5, 6]), pack([7]), 0], dtype=np.uint64)
    lp, new = lm.score(states, np.array([3, 4, 2], dtype=np.uint64))
    assert new.tolist() == [pack([6, 3]), pack([7, 4]), pack([0, 2])]
    np.testing.assert_allclose(lp, np.log(1 / 8), rtol=1e-6)
    assert int(history_mask(2)) == (1 << 32) - 1


@given(st.integers(0, 2 ** 32 - 1), st.integers(12, 100))
@settings(max_examples=10, deadline=None)
def test_unigram_model(seed, vocab):
    # the CLI accepts --order 1
    seq = make_corpus(seed, vocab, 200)
    _, lm, params = build(seq, vocab, 1, {})
    lp, new = lm.score(np.zeros(vocab, dtype=np.uint64), np.arange(vocab, dtype=np.uint64))
    assert np.exp(lp.astype(np.float64)).sum() == pytest.approx(1.0, abs=1e-3)
    assert not new.any()


def test_count_ngrams_stays_within_segments():
    seq = np.array([BOS, 5, 6, EOS, BOS, 6, 5, EOS], dtype=np.int32)
    with contextlib.redirect_stderr(io.StringIO()):
        counts = count_ngrams(seq, 3)
    bigrams = dict(zip(counts[1][0].tolist(), counts[1][1].tolist()))
    assert pack([EOS, BOS]) not in bigrams
    assert bigrams[pack([BOS, 5])] == 1 and bigrams[pack([5, 6])] == 1 and bigrams[pack([6, 5])] == 1
    unigrams = dict(zip(counts[0][0].tolist(), counts[0][1].tolist()))
    assert unigrams == {BOS: 2, EOS: 2, 5: 2, 6: 2}
    trigrams = set(counts[2][0].tolist())
    assert pack([6, EOS, BOS]) not in trigrams and pack([BOS, 5, 6]) in trigrams
    assert len(trigrams) == 4


# --- tiny corpora ------------------------------------------------------------------------

def test_tiny_corpus_without_count_two_builds():
    # no n-gram with adjusted count 2: Chen & Goodman's estimate divides by zero
    seq = np.array([BOS, 2, EOS] * 5, dtype=np.int32)
    _, lm, _ = build(seq, 3, 2, {})
    lp, _ = lm.score(np.zeros(3, dtype=np.uint64), np.arange(3, dtype=np.uint64))
    assert np.exp(lp.astype(np.float64)).sum() == pytest.approx(1.0, abs=1e-2)


def test_tiny_corpus_with_negative_discount_estimate_is_normalised():
    # the raw estimate of D2 is negative here (-0.14)
    seq = np.array([BOS, 4, 3, 4, 2, EOS, BOS, 4, 4, 4, 4, EOS], dtype=np.int32)
    _, lm, params = build(seq, 5, 2, {})
    for state in range(5):
        lp, _ = lm.score(np.full(5, state, dtype=np.uint64), np.arange(5, dtype=np.uint64))
        assert np.exp(lp.astype(np.float64)).sum() == pytest.approx(1.0, abs=1e-2)


@pytest.mark.parametrize("order, cutoffs", [(3, {2: 1, 3: 2}), (2, {2: 2}), (4, {2: 1, 3: 2, 4: 2})])
def test_cutoffs_that_prune_a_whole_order(order, cutoffs):
    # e.g. a small corpus with the default cut-off 3:2
    seq = np.array([BOS, 2, 3, 4, EOS, BOS, 4, 3, 2, EOS], dtype=np.int32)  # every n-gram once
    _, lm, _ = build(seq, 5, order, cutoffs)
    for state in range(5):
        lp, _ = lm.score(np.full(5, state, dtype=np.uint64), np.arange(5, dtype=np.uint64))
        assert np.exp(lp.astype(np.float64)).sum() == pytest.approx(1.0, abs=1e-2)


@pytest.mark.parametrize("order", [2, 3, 4])
def test_start_symbol_gets_no_probability(order):
    vocab = 12
    seq = make_corpus(3, vocab, 150)
    _, lm, _ = build(seq, vocab, order, {})
    words = np.arange(vocab, dtype=np.uint64)
    for hist in ([EOS] * (order - 1), [BOS] * (order - 1), [int(x) for x in seq[5: 5 + order - 1]]):
        state = np.uint64(pack(hist)) & lm.state_mask
        lp, _ = lm.score(np.full(vocab, state, dtype=np.uint64), words)
        p = np.exp(lp.astype(np.float64))
        assert p[words != BOS].sum() == pytest.approx(1.0, abs=1e-2), hist
        assert p[BOS] < 1e-6


# Regression (fixed in the source while these tests were written): kneser_ney's adjusted counts index an empty array when the corpus has no
# n-gram of order n+1 at all (every segment too short for the order)
def test_corpus_of_segments_shorter_than_the_order():
    seq = np.array([BOS, 2, EOS, BOS, 3, EOS] * 3, dtype=np.int32)  # no 4-gram anywhere
    _, lm, _ = build(seq, 4, 4, {})
    lp, _ = lm.score(np.zeros(4, dtype=np.uint64), np.arange(4, dtype=np.uint64))
    assert np.exp(lp.astype(np.float64))[1:].sum() == pytest.approx(1.0, abs=1e-2)


# --- the file format (2): hashed tables with quantised values ---------------------------

def file_model(lm: NgramLM, tmp_path, mean_bucket: float = 4.0) -> NgramLM:
    """`lm` written as a model file stores it and mapped back, as Model.load does."""
    arrays, params = file_arrays(lm, mean_bucket)
    layout = write_arrays(tmp_path / "lm.bin", arrays)
    return from_file_arrays(_map_arrays(tmp_path / "lm.bin", layout), params, lm.order)


@given(models(), st.integers(0, 2 ** 32 - 1), st.sampled_from([0.5, 4.0, 64.0]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_hashed_tables_find_exactly_the_stored_keys(model, seed, mean_bucket):
    _, vocab, order, _, lm, _ = model
    rng = np.random.default_rng(seed)
    for n, table in enumerate(lm.tables, start=2):
        hashed = HashedTable.from_sorted(table, ID_BITS * n, mean_bucket)
        stored = table.keys[rng.integers(0, len(table.keys), 50)] if len(table.keys) else table.keys
        # unseen keys: any ids, and stored keys with one id changed (same bucket-mates)
        other = np.array([pack(rng.integers(0, vocab, size=n)) for _ in range(50)], dtype=np.uint64)
        query = rng.permutation(np.concatenate([stored, stored ^ np.uint64(1), other]))
        which, rows = hashed.find(query)
        want_which, want_rows = table.find(query)
        assert which.tolist() == want_which.tolist()
        assert np.allclose(hashed.logps(rows), table.logps(want_rows), atol=0.05)


@given(models(), st.integers(0, 2 ** 32 - 1))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_model_file_scores_like_the_build(tmp_path_factory, model, seed):
    seq, vocab, order, _, lm, _ = model
    mapped = file_model(lm, tmp_path_factory.mktemp("lm"))
    assert mapped.order == order
    rng = np.random.default_rng(seed)
    words = np.arange(vocab, dtype=np.uint64)
    for hist in histories(rng, seq, order, vocab):
        states = np.full(vocab, np.uint64(pack(hist)) & lm.state_mask, dtype=np.uint64)
        want, want_states = lm.score(states, words)
        got, got_states = mapped.score(states, words)
        assert np.array_equal(got_states, want_states)
        # each of the (order) terms of a score is off by at most half a quantisation step
        assert np.abs(got - want).max() < 0.05 * order, hist


def test_quantize_bounds_the_error_and_keeps_zero():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(-5, 3, 10000), np.zeros(500), [-40.0, 2.0]])
    codes, book = quantize(values)
    assert codes.dtype == np.uint8 and len(book) == 256
    nonzero = values[values != 0]
    step = (nonzero.max() - nonzero.min()) / 254  # 255 codes over the range, one for 0
    assert np.abs(book[codes] - values).max() <= step / 2 + 1e-6
    assert np.all(book[codes][values == 0] == 0.0)
    few = np.array([-1.5, -0.25, -1.5])  # no more distinct values than codes: exact
    codes, book = quantize(few)
    assert np.abs(book[codes] - few).max() <= (1.25 / 255) / 2 + 1e-6
