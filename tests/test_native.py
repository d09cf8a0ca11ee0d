"""The compiled decoder (vnrestore._native) against the pure one: the same LM scores to
the bit, the same paths (ties included), on small built models and on the shipped one.

The pure path's own correctness (against brute force) is tests/test_decode.py's job;
here the pure path is the reference, so any difference is the compiled decoder's fault.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_lm import BOS, EOS, file_model, histories, models, pack
from vnrestore import lm as lm_module
from vnrestore.decode import decode
from vnrestore.model import Model

compiled_only = pytest.mark.skipif(lm_module._native is None, reason="the compiled decoder was not built")


def test_the_extension_is_built_in_ci():
    """CI (.ci/run sets CI=true) installs from scratch with a compiler: a build that
    silently fell back to the pure path must fail there."""
    if os.environ.get("CI") != "true":
        pytest.skip("only checked in CI")
    assert lm_module._native is not None, "vnrestore._native was not built: pip install printed why"


def pure_decode(lats, lm, beam, costs=None, bos=BOS, eos=EOS):
    before = os.environ.get("VNRESTORE_PURE")
    os.environ["VNRESTORE_PURE"] = "1"
    try:
        return decode(lats, lm, bos, eos, beam=beam, costs=costs)
    finally:
        if before is None:
            del os.environ["VNRESTORE_PURE"]
        else:
            os.environ["VNRESTORE_PURE"] = before


def random_lattices(rng, vocab, n, max_len=9, max_cands=6, tie_costs=True):
    """Lattices over ids 2..vocab-1 (some positions with repeated ids, as a name and a
    plain form can share an id) and prior scores in quarters, so that ties happen."""
    lats, costs = [], []
    for _ in range(n):
        lat, cost = [], []
        for _ in range(rng.integers(0, max_len + 1)):
            k = int(rng.integers(1, max_cands + 1))
            lat.append(tuple(int(x) for x in rng.integers(2, vocab, size=k)))
            r = rng.random()
            cost.append(None if r < 0.4 else [float(c) for c in -rng.integers(0, 3, size=k) / 4.0]
                        if tie_costs else rng.normal(size=k).tolist())
        lats.append(lat)
        costs.append(cost if rng.random() < 0.8 else None)
    return lats, costs


@compiled_only
@given(models(), st.integers(0, 2 ** 32 - 1))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_scores_are_the_pure_scores_to_the_bit(tmp_path_factory, model, seed):
    seq, vocab, order, _, lm, _ = model
    mapped = file_model(lm, tmp_path_factory.mktemp("lm"))
    compiled = mapped.compiled()
    rng = np.random.default_rng(seed)
    words = np.arange(vocab, dtype=np.uint64)
    for hist in histories(rng, seq, order, vocab):
        states = np.full(vocab, np.uint64(pack(hist)) & lm.state_mask, dtype=np.uint64)
        want, want_states = mapped.score(states, words)
        got, got_states = compiled.score(states.tolist(), words.tolist())
        assert np.array_equal(np.array(got, dtype=np.float32), want), hist
        assert got_states == want_states.tolist()
        # and over arrays (what posterior.swap_scores calls), mixed histories at once
        mixed = rng.permutation(np.concatenate([states, states >> np.uint64(16)]))
        words2 = np.concatenate([words, words[::-1]])
        logps, new = np.empty(len(mixed)), np.empty(len(mixed), dtype=np.uint64)
        compiled.score_into(mixed, words2, logps, new)
        want, want_states = mapped.score(mixed, words2)
        assert np.array_equal(logps.astype(np.float32), want) and np.array_equal(new, want_states)


@compiled_only
@given(models(), st.integers(0, 2 ** 32 - 1), st.sampled_from([1, 2, 3, 5, 12, 40]), st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_paths_are_the_pure_paths(tmp_path_factory, model, seed, beam, tie_costs):
    _, vocab, _, _, lm, _ = model
    mapped = file_model(lm, tmp_path_factory.mktemp("lm"))
    assert mapped.compiled() is not None
    lats, costs = random_lattices(np.random.default_rng(seed), vocab, 12, tie_costs=tie_costs)
    compiled = mapped.compiled()
    assert compiled.decode(lats, costs, BOS, EOS, beam) == pure_decode(lats, mapped, beam, costs)
    assert compiled.decode(lats, None, BOS, EOS, beam) == pure_decode(lats, mapped, beam)


@pytest.fixture(scope="module")
def shipped():
    return Model.load()


@compiled_only
@pytest.mark.parametrize("seed", range(6))
def test_paths_on_the_shipped_model(shipped, seed):
    """Real ids (the most frequent ones, so that most n-grams exist) and a wide beam."""
    rng = np.random.default_rng(seed)
    lats, costs = random_lattices(rng, 3000, 60, max_len=30, max_cands=20)
    bos, eos = shipped.lexicon.id("<s>"), shipped.lexicon.id("</s>")
    for beam in (1, 12, 100):
        got = shipped.lm.compiled().decode(lats, costs, bos, eos, beam)
        assert got == pure_decode(lats, shipped.lm, beam, costs, bos, eos)


@compiled_only
def test_pure_is_selectable(shipped, monkeypatch):
    calls = []
    real = shipped.lm.compiled

    def spy():
        calls.append(1)
        return real()

    monkeypatch.setattr(shipped.lm, "compiled", spy)
    lats = [[(5, 6), (7,)]]
    monkeypatch.setenv("VNRESTORE_PURE", "1")
    pure = decode(lats, shipped.lm, 0, 1)
    assert not calls
    monkeypatch.setenv("VNRESTORE_PURE", "0")
    assert decode(lats, shipped.lm, 0, 1) == pure
    assert calls


@compiled_only
def test_threads_share_one_model(shipped):
    """The search runs without the GIL: threads decoding at once get their own paths."""
    rng = np.random.default_rng(11)
    jobs = [random_lattices(rng, 3000, 40, max_len=25, max_cands=12) for _ in range(6)]
    want = [shipped.lm.compiled().decode(lats, costs, 0, 1, 12) for lats, costs in jobs]
    got = [None] * len(jobs)

    def run(i):
        for _ in range(3):
            got[i] = shipped.lm.compiled().decode(jobs[i][0], jobs[i][1], 0, 1, 12)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == want


@compiled_only
@pytest.mark.parametrize("lats, costs, error", [
    ([[(5,), ()]], None, ValueError),                  # a position with no candidates
    ([[(5, 6)]], [[[0.0]]], ValueError),               # one cost for two candidates
    ([[(5, 10 ** 6)]], None, IndexError),              # an id beyond the vocabulary
    ([[(5, -1)]], None, OverflowError),                # a negative id
    ([[(5,)]], [[["x"]]], TypeError),                  # a cost that is no number
    ([[(5,)], [(6,)]], [[None]], ValueError),          # costs that do not mirror the lattices
])
def test_bad_input_raises(shipped, lats, costs, error):
    with pytest.raises(error):
        shipped.lm.compiled().decode(lats, costs, 0, 1, 12)


@compiled_only
def test_score_into_refuses_wrong_arrays(shipped):
    compiled = shipped.lm.compiled()
    u = np.zeros(3, dtype=np.uint64)
    with pytest.raises(ValueError, match="logps"):
        compiled.score_into(u, u, np.zeros(3, dtype=np.float32), u.copy())
    with pytest.raises(ValueError, match="one length"):
        compiled.score_into(u, u, np.zeros(2), u.copy())
    with pytest.raises(IndexError):
        compiled.score_into(u, np.full(3, 10 ** 6, dtype=np.uint64), np.zeros(3), u.copy())
    with pytest.raises(ValueError, match="read-only"):  # an output it cannot write
        compiled.score_into(u, u, np.zeros(3), np.frombuffer(bytes(24), dtype=np.uint64))


@compiled_only
def test_bad_arrays_are_refused(shipped):
    lm = shipped.lm
    t = lm.tables[0]
    spec = (t.bits, t.bucket_bits, t.offsets, t.remainders, t.logp_codes, t.logp_book, t.backoff_codes, t.backoff_book)
    with pytest.raises(ValueError):  # float64 where float32 is stored
        lm_module._native.Model(lm.unigram_logp.astype(np.float64), lm.unigram_backoff, [spec])
    with pytest.raises(ValueError):  # offsets that point past the rows
        bad = np.array(t.offsets, dtype=t.offsets.dtype)
        bad[-1] = len(t.remainders) + 1
        lm_module._native.Model(lm.unigram_logp, lm.unigram_backoff, [spec[:2] + (bad,) + spec[3:]])
    with pytest.raises(ValueError):
        lm_module._native.Model(lm.unigram_logp, lm.unigram_backoff, [])
