"""Accented words with a wrong tone or mark (``sources.lexicon``, ``Options.retone_cost``):
an accented syllable is kept unless the LM prefers another accented form of it by more
than the cost (a typist's slip, an OCR engine that knows Vietnamese)."""

from __future__ import annotations

import functools

import pytest

import vnrestore
from vnrestore.orthography import has_accents
from vnrestore.pipeline import KEPT, RESTORED, Options, Restorer


@functools.cache
def _old_rule() -> Restorer:
    return Restorer(retone_cost=None)


@pytest.mark.parametrize("typed, mended", [
    ("Mỗi người đều có trách nhiễm bảo vệ môi trường.",
     "Mỗi người đều có trách nhiệm bảo vệ môi trường."),
    ("Hai nước có quan hê tốt đẹp từ lâu.", "Hai nước có quan hệ tốt đẹp từ lâu."),
    ("Thái dộ phục vụ của cán bộ được nâng lên.", "Thái độ phục vụ của cán bộ được nâng lên."),
])
def test_a_wrong_tone_the_language_model_rejects_is_mended(typed, mended):
    assert vnrestore.restore(typed) == mended
    assert _old_rule().restore(typed) == typed  # the rule before kept every accented word


@pytest.mark.parametrize("sentence", [
    "Nhà trường tổ chức lễ khai giảng năm học mới vào ngày mai.",
    "Anh ấy đã đi làm từ sáng sớm và chưa về nhà.",
    "Cô Thanh Thùy là giáo viên dạy văn của trường.",  # a name inside a sentence pays more
    "Ông Lý Văn Hòa và bà Thuỷ đến dự lễ khánh thành.",
    "BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM",                   # ALL-CAPS words are never retoned
    "Hoà bình, thuỷ lợi và quốc phòng.",               # tones in the old place stay as written
])
def test_correct_accented_text_stays(sentence):
    assert vnrestore.restore(sentence) == sentence
    assert all(c.source != RESTORED for c in vnrestore.explain(sentence))


def test_a_mended_word_is_explained_as_restored_and_a_kept_one_as_kept():
    choices = {c.input: c for c in vnrestore.explain("Mỗi người đều có trách nhiễm bảo vệ môi trường.")}
    mended = choices["nhiễm"]
    assert mended.source == RESTORED and mended.output == "nhiệm"
    assert mended.alternatives[0][0] == "nhiệm"
    assert all(has_accents(form) for form, _ in mended.alternatives)  # a word keeps its marks
    assert choices["người"].source == KEPT and choices["người"].output == "người"


def test_a_word_the_corpus_wrote_beside_both_neighbours_is_not_reread():
    # "nhiệm tống" and "tống hợp" are both in the corpus (the name Tống): the word is
    # kept without its forms being weighed at all, whatever the cost
    text = "Ủy ban nhân dân tỉnh chịu trách nhiệm tống hợp, báo cáo kết quả."
    assert Restorer(retone_cost=0).restore(text) == text
    assert [c.source for c in vnrestore.explain(text) if c.input == "tống"] == [KEPT]


def test_the_cost_sets_how_sure_the_model_must_be():
    text = "Ủy ban nhân dân xả đã chỉ đạo các ban ngành."
    assert Restorer(retone_cost=8).restore(text) == text.replace("xả", "xã")
    assert Restorer(retone_cost=1e6).restore(text) == text  # a cost no LM difference pays


def test_retone_cost_is_checked():
    assert Options(retone_cost=None).retone_cost is None
    with pytest.raises(ValueError, match="retone_cost"):
        Options(retone_cost=-1)
    with pytest.raises(TypeError, match="retone_cost"):
        Options(retone_cost="16")
    with pytest.raises(TypeError, match="retone_cost"):
        Options(retone_cost=True)
