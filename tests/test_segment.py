"""Segmentation: where the LM context runs on and where it resets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.pipeline import Restorer
from vnrestore.segment import BOS, CODE_SYM, EOS, NUM, PUNCT_SYM, UNK, segments, symbol
from vnrestore.tokenize import NEWLINE, SPACE, tokenize


def seg_texts(text: str, bullets: bool = False) -> list[str]:
    tokens = list(tokenize(text))
    return [" ".join(tokens[i].text for i in seg) for seg in segments(tokens, bullets=bullets)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Tôi đi học. Anh ở nhà.", ["Tôi đi học .", "Anh ở nhà ."]),
        ("Thật sao? Vâng! Được…", ["Thật sao ?", "Vâng !", "Được …"]),
        ("Hết câu.\nCâu mới", ["Hết câu .", "Câu mới"]),
        ("Xin chào", ["Xin chào"]),
        ("", []),
        ("   \n\n  ", []),
        # a dot not followed by space or line break does not end the sentence
        ("v.v. và", ["v . v .", "và"]),
        ("số 3.5 và", ["số 3.5 và"]),
    ],
)
def test_sentence_ends(text, expected):
    assert seg_texts(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a wrapped line: one line break, then a lower-case word -> same segment
        ("công tác dân\nvận của Đảng", ["công tác dân vận của Đảng"]),
        ("công tác dân\r\nvận của Đảng", ["công tác dân vận của Đảng"]),
        ("công tác dân \n   vận", ["công tác dân vận"]),
        # a blank line ends the segment even before a lower-case word
        ("công tác dân\n\nvận", ["công tác dân", "vận"]),
        ("công tác dân\n \r\nvận", ["công tác dân", "vận"]),
        # an upper-case next line (heading, new paragraph) ends it
        ("công tác dân\nVận động", ["công tác dân", "Vận động"]),
        # so does a line that starts with a number, a code or punctuation (list items)
        ("công tác\n1) vận", ["công tác", "1 ) vận"]),
        ("công tác\n- vận", ["công tác", "- vận"]),  # as the build reads it (below: the runtime)
        ("công tác\nđảng viên", ["công tác đảng viên"]),
        # an ALL-CAPS line before a line that starts ALL-CAPS: one heading over two lines
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT\nNAM", ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]),
        ("ĐẢNG ỦY XÃ AN PHÚ A CỘNG HÒA\nXÃ HỘI", ["ĐẢNG ỦY XÃ AN PHÚ A CỘNG HÒA XÃ HỘI"]),
        ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Ba", ["TM .", "ỦY BAN NHÂN DÂN CHỦ TỊCH", "Trần Văn Ba"]),
        # ... but not after a blank line, before a Title-case line, or after a mixed line
        ("BÁO CÁO\n\nKẾT QUẢ", ["BÁO CÁO", "KẾT QUẢ"]),
        ("BÁO CÁO\nKết quả", ["BÁO CÁO", "Kết quả"]),
        ("Gửi UBND\nHĐND xã", ["Gửi UBND", "HĐND xã"]),
        ("A\nB", ["A", "B"]),
    ],
)
def test_line_breaks(text, expected):
    assert seg_texts(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("công tác\n- vận", ["công tác", "vận"]),  # a list item's bullet: no symbol of the LM
        ("công tác\n+ vận; - dân", ["công tác", "vận ; - dân"]),  # only where a segment opens
        ("công tác\n-vận", ["công tác", "- vận"]),  # no space after it: no bullet
        ("Xong. • Họp", ["Xong .", "Họp"]),
    ],
)
def test_the_runtime_leaves_bullets_out(text, expected):
    assert seg_texts(text, bullets=True) == expected


def test_a_list_items_first_word_reads_as_a_sentence_start():
    # made up: after the corpus' dialogue dashes, "- Goi thau" was read "- Gọi thầu"
    assert Restorer().restore("- Goi thau so 02: thi cong") == "- Gói thầu số 02: thi công"


def test_symbols():
    toks = list(tokenize("Hoà 2010 33/CT-TTg ; computer § hoc"))
    syms = [symbol(t) for t in toks if t.kind not in (SPACE, NEWLINE)]
    assert syms == ["hòa", NUM, CODE_SYM, ";", UNK, PUNCT_SYM, UNK]
    assert BOS != EOS


TEXT_PARTS = st.sampled_from(
    ["công", "tác", "Dân", "vận", ".", "!", "?", "…", ",", " ", "  ", "\n", "\r\n", "\n\n",
     "2010", "33/CT-TTg", "(", ")", "\t", "v.v", "Hoà", "ĐẢNG"]
)


@given(st.lists(TEXT_PARTS, max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_segments_partition_content_tokens(text):
    tokens = list(tokenize(text))
    segs = segments(tokens)
    flat = [i for seg in segs for i in seg]
    content = [i for i, t in enumerate(tokens) if t.kind not in (SPACE, NEWLINE)]
    assert flat == content  # in order, each content token exactly once
    assert all(seg for seg in segs)
    for seg in segs:
        # a segment never crosses a blank line
        between = "".join(t.text for t in tokens[seg[0]: seg[-1] + 1])
        assert "\n\n" not in between and "\n\r\n" not in between
        # a sentence end followed by whitespace closes the segment
        for a in seg[:-1]:
            if tokens[a].text in ".!?…" and a + 1 < len(tokens):
                assert tokens[a + 1].kind not in (SPACE, NEWLINE)
