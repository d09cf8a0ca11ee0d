"""Plain words typed among accented ones (``sources.lexicon``, ``Options.typed_cost``):
on a line written with diacritics, a plain word that is a syllable as written is kept
unless the LM prefers an accented form by more than the cost."""

from __future__ import annotations

import functools

import pytest

import vnrestore
from vnrestore.model import Model
from vnrestore.pipeline import KEPT, RESTORED, Options, Restorer
from vnrestore.sources.lexicon import stripped_runs
from vnrestore.tokenize import tokenize


@functools.cache
def _old_rule() -> Restorer:
    return Restorer(typed_cost=None)


@pytest.mark.parametrize("typed, restored", [
    # one word that lost its marks, the rest of the line accented
    ("Người dân trong xã rất phấn khởi vì cong trình đã hoàn thành.",
     "Người dân trong xã rất phấn khởi vì công trình đã hoàn thành."),
    ("Cán bộ đã đến tận nha từng hộ để vận động bà con.",
     "Cán bộ đã đến tận nhà từng hộ để vận động bà con."),
    # a clause typed plain: thuc and tac are no syllables as written, so cong beside them
    # was typed plain too
    ("Ủy ban nhân dân xã đã chỉ đạo các thôn thuc hien tot cong tac tuyen truyen.",
     "Ủy ban nhân dân xã đã chỉ đạo các thôn thực hiện tốt công tác tuyên truyền."),
])
def test_plain_words_among_accented_ones_are_restored(typed, restored):
    assert vnrestore.restore(typed) == restored
    assert _old_rule().restore(typed) != restored  # the rule before kept every plain syllable


@pytest.mark.parametrize("sentence", [
    "Anh cho em một quyển sách.",
    "Con đường cong queo dẫn lên bản.",
    "Cô ấy mua một con cua ở chợ.",
    "Ca sĩ Lâm Vinh Hải biểu diễn tối qua.",  # a name typed plain inside a sentence pays more
    "Cựu sao MU có ba tháng nghỉ.",           # ALL-CAPS outside a plain run: an acronym
])
def test_plain_words_meant_as_written_stay(sentence):
    assert vnrestore.restore(sentence) == sentence
    assert all(c.source != RESTORED for c in vnrestore.explain(sentence))


def test_plain_words_kept_as_typed_are_explained_as_kept():
    choices = vnrestore.explain("Anh cho em một quyển sách.")
    assert all(c.source == KEPT for c in choices if c.input in ("Anh", "cho", "em"))


def test_a_word_typed_plain_is_explained_as_restored():
    choices = {c.input: c for c in vnrestore.explain("Người dân rất phấn khởi vì cong trình đã hoàn thành.")}
    assert choices["cong"].source == RESTORED and choices["cong"].output == "công"
    assert choices["cong"].alternatives[0][0] == "công"


def test_the_cost_can_be_switched_off():
    text = "Người dân trong xã rất phấn khởi vì cong trình đã hoàn thành."
    assert Restorer(typed_cost=None).restore(text) == text
    assert Restorer(typed_cost=1e6).restore(text) == text  # a cost no LM difference pays


def test_stripped_runs_need_a_word_only_a_stripped_syllable_is():
    lexicon = Model.load().lexicon

    def runs(text):
        tokens = list(tokenize(text))
        return {tokens[i].text for i in stripped_runs(tokens, lexicon)}

    assert runs("các thôn thuc hien tot cong tac, ban ngành") == {"thuc", "hien", "tot", "cong", "tac"}
    assert runs("Anh cho em xem con cua") == set()       # every word a syllable as written
    assert runs("Anh ấy thuc dậy") == set()               # one word alone is no run
    assert runs("Quy định tại TK/cho phép") == set()     # abbreviations and codes are no plain words


def test_narrowing_after_a_slash_keeps_one_prior_per_candidate():
    # TK/cho is cut into words; the codes' table narrows cho's forms to those it saw there
    text = "Tải trọng theo thiết kế TK/cho phép lớn nhất của cầu."
    plan = Restorer()._plan(text)
    i = next(k for k, t in enumerate(plan.tokens) if t.text == "cho")
    assert "after a slash" in plan.detail[i]
    assert len(plan.prior_of[i]) == len(plan.lattice_of[i])
    assert vnrestore.restore(text) == text


def test_the_prescribed_hang_reads_a_word_typed_plain_too():
    # "hằng" before a unit of time, the only accented form then; typed plain on an
    # accented line, hang keeps its form as written too (one prior score per candidate)
    text = "Các thôn đã tổ chức họp dân hang tháng và báo cáo kết quả."
    assert Restorer(prescribed_hang=True).restore(text) == "Các thôn đã tổ chức họp dân hằng tháng và báo cáo kết quả."
    assert Restorer().restore(text) == "Các thôn đã tổ chức họp dân hàng tháng và báo cáo kết quả."


@pytest.mark.parametrize("value, error", [("5", TypeError), (True, TypeError), (float("nan"), TypeError),
                                          (-1.0, ValueError)])
def test_typed_cost_is_checked(value, error):
    with pytest.raises(error, match="typed_cost"):
        Options(typed_cost=value)
