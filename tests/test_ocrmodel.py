"""The OCR error model: scoring, the TSV file (learning it: test_ocrlearn.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from vnrestore.errors import ModelError
from vnrestore.ocrmodel import ConfusionTable

# `table`: the small model learned from made-up OCR pairs (conftest.py).
SHIPPED = Path(__file__).parents[1] / "lexicon" / "ocr-confusions.tsv"


@pytest.mark.parametrize("ocr, gold, others", [
    ("ciia", "của", ["cửa", "cũng"]),
    ("Ciia", "Của", ["cửa", "cũng"]),
    ("tén", "tên", ["tan", "tin"]),
    ("x3", "xã", ["xa", "xả"]),
])
def test_ranks_the_right_gold_first(table, ocr, gold, others):
    best = table.word_logprob(ocr, gold)
    for other in others:
        assert best > table.word_logprob(ocr, other), other


def test_every_ocr_string_has_a_finite_score(table):
    for ocr, gold in [("Ω§", "của"), ("", "của"), ("abcdefgh", "ở"), ("ciia", "ỹ"), ("q", "z")]:
        score = table.word_logprob(ocr, gold)
        assert math.isfinite(score) and score < 0


def test_letter_distributions_sum_to_one(table):
    alphabet = sorted(set(table._base) | {"é", "i", "3"})
    strings = [""] + alphabet + [a + b for a in alphabet for b in alphabet]
    for letter in ("ủ", "ê", "a", "đ"):
        # the letter itself too: every letter keeps a floor of being read as itself
        total = sum(table.p_emit(letter, s) for s in dict.fromkeys(strings + [letter]))
        assert 0.98 < total <= 1.0 + 1e-6, letter


def test_tsv_round_trip(table, tmp_path):
    path = tmp_path / "confusions.tsv"
    table.write_tsv(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# vnrestore-ocr-confusions 1\n")
    assert "train-a.jsonl.xz sha256=" in text and "# word_pairs: " in text and "# smoothing: " in text
    again = ConfusionTable.read_tsv(path)
    assert again == table
    for ocr, gold in [("ciia", "của"), ("ctra", "cửa"), ("nudc", "nước"), ("zz", "ơ"), ("", "ở")]:
        assert again.word_logprob(ocr, gold) == table.word_logprob(ocr, gold)
    copy = tmp_path / "copy.tsv"
    again.write_tsv(copy)
    assert copy.read_bytes() == path.read_bytes()


def test_wrong_format_version_names_the_file(table, tmp_path):
    path = tmp_path / "old-confusions.tsv"
    table.write_tsv(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = "# vnrestore-ocr-confusions 999"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ModelError, match="old-confusions.tsv.*version 999"):
        ConfusionTable.read_tsv(path)
    other = tmp_path / "not-a-table.tsv"
    other.write_text("gold\tocr\n", encoding="utf-8")
    with pytest.raises(ModelError, match="not-a-table.tsv"):
        ConfusionTable.read_tsv(other)
    with pytest.raises(ModelError, match="missing.tsv"):
        ConfusionTable.read_tsv(tmp_path / "missing.tsv")


# Known OCR readings of the real report: the true syllable must outrank the listed near
# candidates under the shipped table.  Only pairs the learned table genuinely ranks right
# are listed (nim: năm loses to nắm; 1am: làm and lam tie; d6i: đổi and dối beat đối;
# Pang: đang beats Đảng; a language model has to settle those).
@pytest.mark.parametrize("ocr, gold, others", [
    ("ciia", "của", ["cửa", "cua"]),
    ("nim", "năm", ["nam"]),
    ("x3", "xã", ["xa"]),
    ("16p", "lớp", ["lập"]),
    ("d6i", "đối", ["dời"]),
    ("Pang", "Đảng", ["phang", "bang"]),
    ("cta", "của", ["cà"]),
    ("dugc", "được", ["dục", "đúc"]),
    ("&", "ở", ["ô", "và"]),
])
def test_shipped_table_ranks_known_examples(ocr, gold, others):
    table = _shipped()
    best = table.word_logprob(ocr, gold)
    assert math.isfinite(best)
    for other in others:
        assert best > table.word_logprob(ocr, other), other


_SHIPPED_TABLE: list[ConfusionTable] = []


def _shipped() -> ConfusionTable:
    if not _SHIPPED_TABLE:
        _SHIPPED_TABLE.append(ConfusionTable.read_tsv(SHIPPED))
    return _SHIPPED_TABLE[0]
