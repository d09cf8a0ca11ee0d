"""Corpus components: weighted counts and statically interpolated component models."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from test_lm import BOS, build, make_corpus

from vnrestore.build import count_ngrams, interpolate, mix_counts
from vnrestore.cli import main
from vnrestore.lm import pack

VOCAB = 40


@pytest.fixture(scope="module")
def components():
    """Two corpora over the same ids, with different word statistics."""
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        a = build(make_corpus(1, VOCAB, 300), VOCAB, 3, {3: 2})[1]
        b = build(make_corpus(2, VOCAB, 120), VOCAB, 3, {3: 1})[1]
    return a, b


def merged(models, lambdas):
    with contextlib.redirect_stderr(io.StringIO()), np.errstate(divide="ignore", under="ignore"):
        return interpolate(models, lambdas)


def distribution(lm, hist):
    words = np.arange(VOCAB, dtype=np.uint64)
    state = np.uint64(pack(hist)) & lm.state_mask
    lp, _ = lm.score(np.full(VOCAB, state, dtype=np.uint64), words)
    return np.exp(lp.astype(np.float64))


HISTORIES = [[BOS, BOS], [BOS, 5], [2, 3], [7, 9], [30, 31], [3, 2]]


@pytest.mark.parametrize("lambdas", [(0.5, 0.5), (0.9, 0.1), (0.2, 0.8)])
def test_interpolated_model_is_the_mixture_and_sums_to_one(components, lambdas):
    lm = merged(components, lambdas)
    for hist in HISTORIES:
        p = distribution(lm, hist)
        assert p[1:].sum() == pytest.approx(1.0, abs=1e-2), hist
        mix = sum(w * distribution(m, hist) for m, w in zip(components, lambdas))
        # every n-gram either component stored gets exactly the mixture's probability
        # (up to float16 storage); the others the merged model's own backoff estimate
        stored = set(lm.keys[1].tolist()) if hist != [BOS, BOS] else set()
        for w in range(2, VOCAB):
            key = pack(hist + [w])
            if key in stored:
                assert p[w] == pytest.approx(mix[w], rel=2e-3)


def test_interpolation_with_one_weight_is_that_component(components):
    a, b = components
    lm = merged([a, b], [1.0, 0.0])
    for hist in HISTORIES:
        assert distribution(lm, hist) == pytest.approx(distribution(a, hist), rel=1e-2, abs=1e-6)  # float16 storage
    assert len(lm.keys[1]) >= max(len(a.keys[1]), len(b.keys[1]))  # union of the n-grams


def test_count_multiplier_is_the_text_repeated():
    seq = make_corpus(3, VOCAB, 50)
    other = make_corpus(4, VOCAB, 50)
    with contextlib.redirect_stderr(io.StringIO()):
        parts = [count_ngrams(seq, 3), count_ngrams(other, 3)]
        weighted, evidence = mix_counts(parts, [2, 1])
        repeated = count_ngrams(np.concatenate([seq, seq, other]), 3)
        plain = count_ngrams(np.concatenate([seq, other]), 3)
    for n in range(3):
        # repeating also creates no n-gram across the seam: segments end with </s>
        assert np.array_equal(weighted[n][0], repeated[n][0])
        assert np.array_equal(weighted[n][1], repeated[n][1])
        assert np.array_equal(evidence[n][1], plain[n][1])


CORPUS_A = "Hôm nay chúng tôi đi học sớm.\nCô giáo dạy chúng tôi đọc và viết.\n" * 3
CORPUS_B = "Mẹ tôi nấu cơm rất ngon.\nChúng tôi đi chợ với mẹ.\n" * 2


@pytest.mark.parametrize("mix,weight", [("counts", "3"), ("interpolate", "0.3")])
def test_build_model_with_components_is_deterministic(tmp_path, capsys, mix, weight):
    (tmp_path / "a.txt").write_text(CORPUS_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(CORPUS_B, encoding="utf-8")
    outputs = []
    for run in ("1", "2"):
        out = tmp_path / f"model{run}"
        args = ["build-model", "--component", f"a={tmp_path / 'a.txt'}", "--component",
                f"b={tmp_path / 'b.txt'}", "--weight", f"b={weight}", "--mix", mix, "--out", str(out), "--jobs", "1"]
        assert main(args) == 0
        outputs.append([(out / f).read_bytes() for f in ("lm.bin", "vocab.tsv", "model.json")])
    assert outputs[0] == outputs[1]
    capsys.readouterr()


def test_fractional_count_multiplier_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(CORPUS_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(CORPUS_B, encoding="utf-8")
    code = main(["build-model", "--component", f"a={tmp_path / 'a.txt'}", "--component", f"b={tmp_path / 'b.txt'}",
                 "--weight", "b=0.5", "--out", str(tmp_path / "m"), "--jobs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].count("\n") == 0 and "whole number" in err[-1] and "component b" in err[-1]


def test_weight_for_an_unknown_component_is_an_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(CORPUS_A, encoding="utf-8")
    code = main(["build-model", "--component", f"a={tmp_path / 'a.txt'}", "--weight", "wiki=2",
                 "--out", str(tmp_path / "m"), "--jobs", "1"])
    assert code == 1 and "wiki" in capsys.readouterr().err


def test_mix_in_is_the_pooled_model_with_a_component_interpolated_in():
    from vnrestore.build import estimate

    seqs = {"a": make_corpus(5, VOCAB, 200), "b": make_corpus(6, VOCAB, 100)}
    with contextlib.redirect_stderr(io.StringIO()), np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        pooled, _ = estimate(seqs, {}, "counts", 3, VOCAB, BOS, {2: 1, 3: 2})
        mixed, params = estimate(seqs, {}, "counts", 3, VOCAB, BOS, {2: 1, 3: 2}, mix_in={"b": 0.3})
        alone = build(seqs["b"], VOCAB, 3, {2: 1, 3: 2})[1]
    assert params["mix_in"] == {"b": 0.3}
    for pooled_keys, mixed_keys in zip(pooled.keys, mixed.keys):
        assert np.array_equal(pooled_keys, mixed_keys)  # same n-grams, same size
    stored = set(mixed.keys[1].tolist())
    for hist in HISTORIES:
        p = distribution(mixed, hist)
        expected = 0.7 * distribution(pooled, hist) + 0.3 * distribution(alone, hist)
        assert p[np.arange(VOCAB) != BOS].sum() == pytest.approx(1.0, abs=1e-2)
        # stored trigrams get the mixture exactly (float16 storage); the others the
        # merged model's backoff estimate, as in any static interpolation
        for w in range(2, VOCAB):
            if hist != [BOS, BOS] and pack(hist + [w]) in stored:
                assert p[w] == pytest.approx(expected[w], rel=2e-3)


@pytest.mark.parametrize("extra", [["--mix-in", "b=1.5"], ["--mix-in", "wiki=0.2"],
                                   ["--mix-in", "b=0.2", "--mix", "interpolate"]])
def test_bad_mix_in_is_one_clear_error(tmp_path, capsys, extra):
    (tmp_path / "a.txt").write_text(CORPUS_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(CORPUS_B, encoding="utf-8")
    code = main(["build-model", "--component", f"a={tmp_path / 'a.txt'}", "--component", f"b={tmp_path / 'b.txt'}",
                 *extra, "--out", str(tmp_path / "m"), "--jobs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) >= 1 and "mix-in" in err[-1] and "Traceback" not in "\n".join(err)
