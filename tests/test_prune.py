"""Pruning beyond the count cut-offs: n-grams rescued by their relative-entropy cost,
and per-component evidence for the cut-offs."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from test_lm import BOS, make_corpus

from vnrestore.build import count_ngrams, kneser_ney, mix_counts, rescue_scores
from vnrestore.lm import pack

VOCAB = 30


def built(seq, cutoffs, **kw):
    with contextlib.redirect_stderr(io.StringIO()), np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        counts = count_ngrams(seq, 3)
        return counts, *kneser_ney(counts, VOCAB, BOS, cutoffs, **kw)


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(7, VOCAB, 400)


def total_probability(lm, hist):
    words = np.arange(VOCAB, dtype=np.uint64)
    lp, _ = lm.score(np.full(VOCAB, np.uint64(pack(hist)) & lm.state_mask, dtype=np.uint64), words)
    return np.exp(lp.astype(np.float64))[words != BOS].sum()


@pytest.mark.parametrize("extra", [1, 10, 40])
def test_rescue_keeps_the_cutoff_model_plus_that_many_and_sums_to_one(corpus, extra):
    counts, pruned, _ = built(corpus, {2: 1, 3: 2})
    _, rescued, params = built(corpus, {2: 1, 3: 2}, rescue={3: extra})
    kept, more = set(pruned.keys[1].tolist()), set(rescued.keys[1].tolist())
    assert kept < more and len(more - kept) == extra == params["rescued"]["3"]
    singletons = set(counts[2][0][counts[2][1] == 1].tolist())
    assert more - kept <= singletons
    for hist in [[BOS, BOS], *(corpus[i:i + 2].tolist() for i in range(0, 300, 23))]:
        assert total_probability(rescued, hist) == pytest.approx(1.0, abs=1e-2)


def test_rescued_ngrams_are_those_that_cost_most(corpus):
    _, small, _ = built(corpus, {2: 1, 3: 2}, rescue={3: 5})
    _, large, _ = built(corpus, {2: 1, 3: 2}, rescue={3: 20})
    assert set(small.keys[1].tolist()) < set(large.keys[1].tolist())  # a budget ranks, not samples


def test_rescuing_more_than_the_cutoff_drops_is_no_cutoff(corpus):
    _, everything, _ = built(corpus, {2: 1, 3: 1})
    _, rescued, _ = built(corpus, {2: 1, 3: 2}, rescue={3: 10 ** 9})
    assert np.array_equal(everything.keys[1], rescued.keys[1])
    assert np.allclose(everything.logps[1].astype(float), rescued.logps[1].astype(float), atol=1e-3)


def test_rescue_score_is_the_gain_over_the_backoff_estimate():
    # one context (key 1 << 16 | x), three words: p equal to its backoff estimate costs
    # nothing to drop; p far above it costs most, scaled by the context's count
    keys = np.array([(1 << 16) | 2, (1 << 16) | 3, (1 << 16) | 4], dtype=np.uint64)
    p = np.array([0.5, 0.1, 0.4])
    lower = np.array([0.5, 0.01, 0.1])
    keep = np.array([True, False, False])  # bo = (1 - 0.5) / (1 - 0.5) = 1
    score = rescue_scores(keys, p, lower, keep, np.array([10.0, 10.0, 10.0]))
    assert score[1] == pytest.approx(10 * 0.1 * np.log(10))
    assert score[2] == pytest.approx(10 * 0.4 * np.log(4))
    assert rescue_scores(keys, p, p, keep, np.ones(3))[1:] == pytest.approx([0.0, 0.0])


def test_evidence_weight_lets_a_components_singletons_pass_the_cutoff():
    a, b = make_corpus(3, VOCAB, 80), make_corpus(4, VOCAB, 80)
    with contextlib.redirect_stderr(io.StringIO()):
        parts = [count_ngrams(a, 3), count_ngrams(b, 3)]
    weighted, plain = mix_counts(parts, [1, 1])
    _, favoured = mix_counts(parts, [1, 1], [1, 2])
    assert np.array_equal(weighted[2][1], plain[2][1])  # the counts the estimate uses stay as they are
    in_b = np.isin(plain[2][0], parts[1][2][0])
    assert np.all(favoured[2][1][in_b] >= 2)
    assert np.array_equal(favoured[2][1][~in_b], plain[2][1][~in_b])


def test_keep_best_from_the_command_line_is_recorded_and_deterministic(tmp_path, capsys):
    import json

    from vnrestore.cli import main

    (tmp_path / "a.txt").write_text("Hôm nay chúng tôi đi học sớm.\nCô giáo dạy chúng tôi đọc và viết.\n"
                                    "Chúng tôi đi học.\n", encoding="utf-8")
    outputs = []
    for run in ("1", "2"):
        out = tmp_path / f"m{run}"
        assert main(["build-model", "--corpus", str(tmp_path / "a.txt"), "--keep-best", "3=4",
                     "--out", str(out), "--jobs", "1"]) == 0
        outputs.append([(out / f).read_bytes() for f in ("lm.bin", "vocab.tsv", "model.json")])
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][2])["parameters"]["rescued"] == {"3": 4}
    capsys.readouterr()
