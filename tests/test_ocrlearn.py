"""Learning the OCR error model: word alignment, character confusions, the command."""

from __future__ import annotations

import math

from vnrestore.ocrlearn import align_words, main


def test_word_alignment_handles_missing_and_glued_tokens():
    pairs = align_words("của nhà tôi, ở đây", "ciia tdi, ¢ d¢y")
    assert ("của", "word", "ciia") in pairs
    assert ("tôi", "word", "tdi") in pairs
    assert ("ở", "word", "¢") in pairs
    assert ("đây", "word", "d¢y") in pairs  # three OCR tokens written together
    assert all(gold != "nhà" for gold, _, _ in pairs)  # dropped by the OCR


def test_learns_the_confusions(table):
    assert table.word_pairs > 300
    assert math.exp(table.word_logprob("ii", "ủ")) > 0.3
    assert table.p_emit("ủ", "ii") > 0.5
    assert table.p_emit("ủ", "ii") > table.p_emit("ủ", "u")
    assert table.p_emit("ê", "é") > 0.5
    assert table.p_emit("ê", "é") > table.p_emit("ê", "e")
    assert table.p_emit("đ", "d") > 0.5
    assert table.p_emit("ã", "3") > table.p_emit("ã", "4")
    # deletion-free identity stays cheap
    assert table.word_logprob("cho", "cho") > -0.5


def test_build_is_deterministic_and_the_command_works(fixture_files, table, tmp_path):
    out = tmp_path / "cli.tsv"
    assert main([str(p) for p in reversed(fixture_files)] + ["-o", str(out)]) == 0
    first = tmp_path / "first.tsv"
    table.write_tsv(first)
    assert out.read_bytes() == first.read_bytes()
