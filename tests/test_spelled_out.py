"""Abbreviations a text spells out (``vnrestore.spelled_out``): the Đ of an abbreviation
no table knows comes from the text's own restored words.  The unit tests give the
restored words directly (the tokens' own text, already accented); the last ones run the
packaged model."""

from __future__ import annotations

import pytest

from vnrestore.spelled_out import spell_out, wants_spelling
from vnrestore.tokenize import tokenize


def spelled(text: str, starts=()) -> dict[str, str]:
    """Each abbreviation of `text` that wants a spelling -> the spelling its text gives
    (the abbreviation itself where none)."""
    tokens = list(tokenize(text))
    targets = [i for i, tok in enumerate(tokens) if tok.kind == "word" and wants_spelling(tok.text)]
    found = spell_out(tokens, lambda i: tokens[i].text, targets, starts)
    return {tokens[i].text + f"@{tokens[i].start}": found.get(i, (tokens[i].text, ""))[0] for i in targets}


def only(text: str) -> str:
    (result,) = spelled(text).values()
    return result


def test_what_wants_a_spelling():
    assert wants_spelling("VPDU") and wants_spelling("DT")
    assert not wants_spelling("VPĐU")   # has its Đ already
    assert not wants_spelling("DAN")    # a syllable
    assert not wants_spelling("Dt")     # not all capitals


def test_a_definition_before_the_brackets():
    assert only("Trung tâm điều hành (TTDH) đã họp.") == "TTĐH"
    assert only("Ban đại diện (BDD) họp.") == "BĐD"  # đại diện: one Đ, one D


def test_a_definition_holds_for_every_use():
    assert set(spelled("Đại học (DH) mở ngành mới. Năm nay DH tuyển thêm.").values()) == {"ĐH"}


def test_a_definition_inside_the_brackets():
    assert only("Báo cáo của TTDH (Trung tâm điều hành) gửi huyện.") == "TTĐH"


def test_short_abbreviations_need_a_definition():
    assert only("Học ở đại học. Năm nay ĐH mở thêm, DH cũng vậy.") == "DH"
    assert only("Trường đại học (DH) mở thêm ngành.") == "ĐH"


def test_a_name_spelled_out_anywhere_in_the_text():
    assert only("PHÒNG ĐÀO TẠO\nKính gửi các khoa. Trưởng PDT ký.") == "PĐT"
    assert only("Văn phòng Đảng ủy xã đã nhận.\nNơi nhận: VPDU.") == "VPĐU"


def test_commas_dashes_and_va_inside_a_name():
    assert only("Hội đồng Thi đua, khen thưởng xã họp. Thường trực TDKT báo cáo.") == "TĐKT"
    assert only("Sở Giáo dục và Đào tạo tỉnh. Theo GDDT tỉnh.") == "GDĐT"


def test_three_initials_met_once_by_chance_are_not_a_name():
    # "các đoàn ra" is no name: lower case and met once
    assert only("Trong tháng có các đoàn ra nước ngoài. Mã CDR được cấp.") == "CDR"
    # ... nor are three such phrases, each met once
    assert only("Các chùm điện tử của chùm điện tử, chúng có độ rộng nhỏ. Camera CCD ghi hình.") == "CCD"
    # ... nor, for three letters, a phrase the text repeats ("quy định này quy định")
    assert only("Quy định này quy định mức phạt; quy định này quy định thời hạn. Mã DNQ.") == "DNQ"
    # ... nor a stretch that starts in lower case and runs into a name ("Địa chính")
    assert only("Ý kiến của công chức Địa chính xã. Cấp thẻ CCCD cho dân.") == "CCCD"
    # ... but for four letters a repeated phrase is a spelling, and so is a name
    assert only("Công tác kiểm tra đánh giá năm học. Tổ chức kiểm tra đánh giá. Kết quả KTDG.") == "KTĐG"
    assert only("Theo Chuẩn đầu ra của ngành. Rà soát chuẩn đầu ra. Ban hành CDR.") == "CĐR"


def test_readings_that_disagree_leave_the_abbreviation_be():
    text = "Công đoàn Trường họp. Công dân Trẻ tham gia. Báo cáo CDT."
    assert only(text) == "CDT"


def test_a_definition_that_does_not_fit_is_not_overruled():
    text = "Đông Nam Sơn là tên. Đông Nam Sơn ở xa. Hệ thống tên miền Internet (DNS) quốc gia."
    assert only(text) == "DNS"


def test_texts_joined_for_restore_many_do_not_read_each_other():
    text = "Văn phòng Đảng ủy xã.\n\nGửi VPDU."
    tokens = list(tokenize(text))
    second = next(i for i, t in enumerate(tokens) if t.text == "Gửi")
    assert only(text) == "VPĐU"
    assert list(spelled(text, starts=[second]).values()) == ["VPDU"]


@pytest.mark.parametrize("text, expected", [
    ("Van phong Dang uy xa da nhan bao cao.\nNoi nhan: VPDU.", "VPĐU"),
    ("Ket qua kiem tra danh gia (KTDG) hoc ky I.", "KTĐG"),
])
def test_restore_gives_the_texts_spelling(restorer, text, expected):
    assert expected in restorer.restore(text)


def test_explain_says_where_the_spelling_came_from(restorer):
    (choice,) = [c for c in restorer.explain("Ket qua kiem tra danh gia (KTDG) hoc ky I.") if c.input == "KTDG"]
    assert choice.output == "KTĐG" and choice.source == "abbreviation"
    assert "spelled out in this text as 'kiểm tra đánh giá'" in choice.detail


def test_an_abbreviation_on_an_accented_line_is_meant_as_written(restorer):
    text = "Văn phòng Đảng ủy xã đã nhận.\nNơi nhận: VPDU và các đơn vị."
    assert "VPDU" in restorer.restore(text)


def test_restore_many_keeps_texts_apart(restorer):
    texts = ["Van phong Dang uy xa da nhan.", "Noi nhan: VPDU."]
    assert restorer.restore_many(texts)[1] == restorer.restore(texts[1])
    assert "VPDU" in restorer.restore_many(texts)[1]
