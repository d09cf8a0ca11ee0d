"""Many texts: restore_many / explain_many, and restore_lines item by item."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore import blocks
from conftest import shared_restorer


TEXTS = [
    "Toi di hoc",
    "Cong hoa xa hoi chu nghia Viet Nam",
    "",
    "d6i v&i 1am viec cua x3 nay",       # OCR-like: auto mode decides for this text alone
    "cong tac dan van\r",
    "\nla nhiem vu cua moi nguoi  ",
    "Ha Noi, ngay 2 thang 9",
]


def test_restore_many_equals_restore_per_text(restorer):
    assert restorer.restore_many(TEXTS) == [restorer.restore(t) for t in TEXTS]
    assert restorer.restore_many(TEXTS)[0] == "Tôi đi học"


def test_texts_do_not_influence_each_other(restorer):
    # The same text gives the same result whatever it is batched with: an unfinished
    # sentence before it, or OCR noise that would switch a joined block to OCR mode.
    alone = restorer.restore("hoa xa hoi")
    neighbours = ["Nuoc cong", "d6i v&i 1am x3 hi¢n t6i", "Nuoc cong"]
    assert restorer.restore_many(neighbours[:1] + ["hoa xa hoi"] + neighbours[1:])[1] == alone
    assert restorer.restore_many(["d6i v&i 1am x3", "tôi"]) == [restorer.restore("d6i v&i 1am x3"), "tôi"]


@given(st.lists(st.text(alphabet="aoeiuy dhcgntm.,\n\r ", max_size=40), max_size=12),
       st.sampled_from([None, 1, 3]))
@settings(max_examples=40, deadline=None)
def test_restore_many_any_texts(texts, batch_size):
    restorer = shared_restorer()
    got = restorer.restore_many(texts, batch_size=batch_size)
    assert got == [restorer.restore(t) for t in texts]


def test_explain_many_spans_per_text(restorer):
    explained = restorer.explain_many(TEXTS, batch_size=2)
    assert len(explained) == len(TEXTS)
    for text, choices in zip(TEXTS, explained):
        assert "".join(c.input for c in choices) == text
        assert [(c.start, c.end) for c in choices] == [(c.start, c.end) for c in restorer.explain(text)]
        assert "".join(c.output for c in choices) == restorer.restore(text)


def test_long_texts_are_cut_like_restore(restorer, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_CHARS", 60)
    texts = ["Cong tac dan van. " * 10, "Toi di hoc", "Cong tac dan van. " * 10]
    assert restorer.restore_many(texts) == [restorer.restore(t) for t in texts]
    assert ["".join(c.output for c in e) for e in restorer.explain_many(texts)] == restorer.restore_many(texts)


def test_restore_many_arguments(restorer):
    with pytest.raises(TypeError, match="texts"):
        restorer.restore_many("Toi di hoc")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        restorer.restore_many(["a", 3])
    with pytest.raises(ValueError, match="batch_size"):
        restorer.restore_many(["a"], batch_size=0)
    assert restorer.restore_many(iter(["Toi"])) == ["Tôi"]
    assert restorer.restore_many([]) == []


def test_restore_lines_one_item_per_line(restorer):
    # Items without a line end used to be merged into one line ('Tôi đi hocCong hóa').
    assert list(restorer.restore_lines(["Toi di hoc", "Cong hoa"])) == ["Tôi đi học", "Cộng hòa"]
    items = ["Toi di hoc\n", "Cong hoa", "", "xa hoi\r\n", "chu nghia"]
    got = list(restorer.restore_lines(items))
    assert len(got) == len(items)
    assert got == ["Tôi đi học\n", "Cộng hòa", "", "xã hội\r\n", "chủ nghĩa"]
    explained = list(restorer.explain_lines(items))
    assert [text for text, _ in explained] == got
    assert all("".join(c.input for c in choices) == item for item, (_, choices) in zip(items, explained))


def test_restore_lines_item_with_inner_line_breaks(restorer):
    items = ["Cong hoa\nxa hoi", "chu nghia"]
    assert list(restorer.restore_lines(items)) == ["Cộng hòa\nxã hội", "chủ nghĩa"]


@given(st.text(alphabet="abcdefghiklmnopqrstuvxy ABCDHTV.,:;/-@()\n", max_size=60))
@settings(max_examples=60, deadline=None)
def test_ascii_without_digits_is_never_read_as_ocr(text):
    # restore_many decides such texts are plain without running looks_like_ocr: check
    # that looks_like_ocr agrees.
    from vnrestore.ocr import looks_like_ocr
    from vnrestore.tokenize import tokenize
    restorer = shared_restorer()
    assert not looks_like_ocr(list(tokenize(text)), restorer._ocr_candidates())
