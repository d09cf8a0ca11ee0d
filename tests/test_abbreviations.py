"""Abbreviations typed without their Vietnamese letter: HDND -> HĐND."""

from __future__ import annotations

import pytest

import vnrestore
from vnrestore import InputError, Options, Restorer
from vnrestore.build import read_abbreviations


def test_reading_an_abbreviation_list(tmp_path):
    path = tmp_path / "abbr.txt"
    path.write_text(
        "HĐND:hội đồng nhân dân\nhđnd:hội đồng nhân dân\nUBND:ủy ban nhân dân\n"
        "CĐ:cao đẳng\nBCĐ:ban chỉ đạo\nBCD:binary coded decimal\nĐTN:đoàn thanh niên\nDTN:x\n"
        "BGDĐT:Bộ Giáo dục và Đào tạo\n", encoding="utf-8")
    table = read_abbreviations(path)
    assert table == {"HDND": "HĐND", "BGDDT": "BGDĐT"}
    # UBND: nothing to restore; CĐ: too short; BCD and DTN: listed as they are


def test_a_malformed_list_names_the_line(tmp_path):
    path = tmp_path / "abbr.txt"
    path.write_text("HĐND:hội đồng\nno colon here\n", encoding="utf-8")
    with pytest.raises(InputError, match="abbr.txt:2"):
        read_abbreviations(path)


@pytest.mark.parametrize("mode", ["plain", "ocr"])
def test_restored_in_text(mode):
    out = Restorer(options=Options(mode=mode)).restore("Nghi quyet cua HDND tinh va UBND huyen")
    assert "HĐND" in out.split() and "UBND" in out.split()


def test_only_the_exact_upper_case_spelling():
    assert vnrestore.restore("Hdnd") == "Hdnd"


def test_explain_reports_the_abbreviation():
    (choice,) = [c for c in vnrestore.explain("HDND tinh") if c.input == "HDND"]
    assert choice.output == "HĐND" and choice.source == "abbreviation"
