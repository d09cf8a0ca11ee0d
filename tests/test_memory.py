"""The document memory (memory.py) and the batched posteriors it reads (posterior.py)."""

from __future__ import annotations

import numpy as np
import pytest

from vnrestore import Options, Restorer
from vnrestore.lattice import Lattices
from vnrestore.posterior import posteriors
from conftest import shared_restorer

both_paths = pytest.mark.usefixtures("both_decoders")

# Made up: a notice about aid to households.  "17 ho chua nhan" alone reads as họ
# (they); the other sentences settle the word as hộ (household).
EVIDENCE = "Cac ho ngheo, ho gia dinh chinh sach va ho can ngheo deu duoc ho tro kip thoi. "
AMBIGUOUS = "Hien con 17 ho chua nhan tien."
EVIDENCE_ACCENTED = "Các hộ nghèo, hộ gia đình chính sách và hộ cận nghèo đều được hỗ trợ kịp thời. "


@pytest.fixture(scope="module")
def forgetful() -> Restorer:
    return Restorer(options=Options(memory_weight=0))


@both_paths
def test_the_document_settles_an_ambiguous_word(restorer, forgetful):
    assert "17 họ chưa" in forgetful.restore(AMBIGUOUS)
    assert "17 họ chưa" in forgetful.restore(EVIDENCE + AMBIGUOUS)
    assert "17 hộ chưa" in restorer.restore(EVIDENCE + AMBIGUOUS)


@both_paths
def test_explain_says_the_memory_decided(restorer):
    (choice,) = [c for c in restorer.explain(EVIDENCE + AMBIGUOUS) if c.detail.startswith("document memory")]
    assert choice.output == "hộ" and choice.start == len(EVIDENCE) + len("Hien con 17 ")
    assert choice.detail == "document memory: hộ in 3 of 4 confident uses nearby"  # 3 hộ, 1 hỗ (trợ)


def test_texts_of_restore_many_never_share_a_memory(restorer):
    evidence, alone = restorer.restore_many([EVIDENCE, AMBIGUOUS])
    assert (evidence, alone) == (restorer.restore(EVIDENCE), restorer.restore(AMBIGUOUS))
    assert "17 họ chưa" in alone


def test_the_memory_reaches_only_nearby_words():
    # the same notice with a long paragraph in between (no "ho" in it): out of reach.
    # (The triggers off: "thôn" and "tiền" 3 words away would read hộ on their own.)
    filler = "Cong tac dan van duoc trien khai dong bo tai cac thon. " * 60
    far = Restorer(trigger_weight=0).restore(EVIDENCE + "\n\n" + filler + "\n\n" + AMBIGUOUS)
    assert "17 họ chưa" in far


def test_a_word_typed_plain_follows_the_texts_own_accented_words(restorer, forgetful):
    # an accented notice with one word typed without its marks: the words the text
    # wrote with theirs vote (no word of it is restored but that one)
    text = EVIDENCE_ACCENTED + "Hiện còn 17 ho chưa nhận tiền."
    assert "17 họ chưa" in forgetful.restore(text)
    assert "17 hộ chưa" in restorer.restore(text)


def test_correct_text_is_kept(restorer):
    text = "Các hộ nghèo đều được hỗ trợ. Hiện còn 17 họ chưa nhận tiền."
    assert restorer.restore(text) == text


def test_a_vietnamese_engines_syllables_vote_but_keep_their_tones():
    # OCR mode over accented lines (a Vietnamese-aware engine's output): its written
    # syllables are left to the channel, as the triggers leave them; however strongly
    # the memory weighs, "17 họ" and "hỗ trợ" stay as written (a memory that could
    # retone them gave "17 hộ" and "hộ trợ" at this weight)
    text = EVIDENCE_ACCENTED + "Hiện còn 17 họ chưa nhận tiền."
    assert Restorer(mode="ocr", trigger_weight=0, memory_weight=20).restore(text) == text


@pytest.mark.parametrize("value, error", [(-1.0, ValueError), ("2", TypeError), (float("nan"), ValueError),
                                          (True, TypeError)])
def test_memory_weight_is_checked(value, error):
    with pytest.raises(error, match="memory_weight"):
        Options(memory_weight=value)


# --- posteriors: every swap scored at once equals each path scored in full --------------

def _brute_force(lat: Lattices, paths, lm, bos, eos):
    """Each candidate's probability from the whole path's score with that word swapped."""
    result = {}
    for seg, lattice, cost, path in zip(lat.positions, lat.lattices, lat.costs, paths):
        for t, cands in enumerate(lattice):
            if len(cands) == 1:
                continue
            scores = []
            for j, c in enumerate(cands):
                words = [cs[p] for cs, p in zip(lattice, path)]
                words[t] = c
                prior = sum(cost[u][path[u] if u != t else j] for u in range(len(lattice)) if cost[u] is not None)
                scores.append(lm.sequence_logprob(words, bos, eos) + prior)
            scores = np.exp(np.array(scores) - max(scores))
            result[seg[t]] = dict(zip(cands, scores / scores.sum()))
    return result


@both_paths
@pytest.mark.parametrize("text", ["Hien con 17 ho chua nhan tien.\nCac ho ngheo deu duoc ho tro.",
                                  "Ong Nam o xa Dong Hung, huyen Tien Hai. THON AN HAI",
                                  "toi di hoc"])
def test_batched_posteriors_equal_brute_force(text):
    restorer = shared_restorer()
    decision = restorer._decide(text)
    lm, lexicon = restorer.model.lm, restorer.model.lexicon
    fast = posteriors(decision.lattices, decision.paths, lm, restorer._bos, restorer._eos, lexicon.plain)
    slow = _brute_force(decision.lattices, decision.paths, lm, restorer._bos, restorer._eos)
    assert fast.keys() == slow.keys() and fast
    for i, alternatives in fast.items():
        merged: dict[int, float] = {}
        for c, p in slow[i].items():
            merged[lexicon.plain(c)] = merged.get(lexicon.plain(c), 0.0) + p
        assert dict(alternatives) == pytest.approx(merged, abs=1e-9)
