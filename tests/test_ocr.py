"""OCR mode: candidates from the OCR error model, noisy-word merging, decoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from vnrestore import Options, Restorer
from vnrestore.cli import main
from vnrestore.ocr import OcrCandidates, merge_noisy_words
from vnrestore.tokenize import render, tokenize


@pytest.fixture(scope="module")
def ocr_restorer():
    return Restorer(options=Options(mode="ocr"))


@pytest.fixture(scope="module")
def candidates(ocr_restorer):
    return OcrCandidates(ocr_restorer.model.lexicon)


def forms(candidates, reading):
    ids, _ = candidates.lookup(reading)
    return [candidates.lexicon.symbols[i] for i in ids]


def test_digits_and_symbols_fold_to_the_letters_they_stand_for(candidates):
    # learned from the table, not written by hand: the letter each symbol most often replaces
    assert candidates._fold["6"] == "o" and candidates._fold["3"] == "a" and candidates._fold["1"] == "l"


@pytest.mark.parametrize("reading, form", [
    ("x3", "xã"), ("16p", "lớp"), ("d6i", "đối"), ("1am", "làm"), ("ciia", "của"),
    ("nudc", "nước"), ("chirc", "chức"), ("hién", "hiện"), ("Pang", "đảng"),
])
def test_the_intended_syllable_is_a_candidate(candidates, reading, form):
    assert form in forms(candidates, reading)


@pytest.mark.parametrize("reading, form", [("sit", "sử"), ("chit", "chữ"), ("chite", "chức"), ("thite", "thức")])
def test_one_letter_read_as_two_is_found(candidates, reading, form):
    # "sit" spells a key of its own, and sử's key is two edits away: only reading the
    # pair "it" back as one letter (learned from the table) brings it in
    assert candidates._unsplit["it"] == "u"
    assert form in forms(candidates, reading)


def test_channel_scores_are_log_probabilities_best_first_within_a_key(candidates):
    ids, scores = candidates.lookup("x3")
    assert len(ids) == len(scores) and all(s <= 0 for s in scores)


def test_symbol_broken_words_are_merged_losslessly():
    text = "thuc hi¢n v&i 33/CT-TTg, 2021-2025 va H2O"
    tokens = merge_noisy_words(list(tokenize(text)))
    assert render(tokens) == text
    assert "hi¢n" in [t.text for t in tokens]
    assert "33/CT-TTg" in [t.text for t in tokens]  # codes stay codes


def test_cent_sign_and_digit_are_one_reading(ocr_restorer):
    # ¢ is this OCR's c: "¢6" is có, while a price in cents is left alone
    assert "¢6" in [t.text for t in merge_noisy_words(list(tokenize("nganh ¢6 lién quan")))]
    assert ocr_restorer.restore("nganh ¢6 lién quan") == "ngành có liên quan"
    assert ocr_restorer.restore("gia 50¢ moi cai").startswith("giá 50¢ ")


@given(st.text(alphabet="ab6¢&€ 1/-.\n", max_size=40))
@settings(max_examples=200, deadline=None)
def test_merging_is_lossless(text):
    tokens = merge_noisy_words(list(tokenize(text)))
    assert render(tokens) == text
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_ocr_mode_corrects_letter_noise(ocr_restorer):
    out = ocr_restorer.restore("Nguoi dan trong x3 d6i v&i chinh quyén ciia dia phuong nim 2025.")
    words = out.split()
    for expected in ("xã", "đối", "với", "quyền", "của", "năm"):
        assert expected in words, out
    assert "2025." in out


def test_ocr_mode_leaves_codes_numbers_and_foreign_words(ocr_restorer):
    text = "Thong tu 33/CT-TTg ngay 15/8/2025, Facebook va UBND"
    out = ocr_restorer.restore(text)
    for kept in ("33/CT-TTg", "15/8/2025,", "Facebook", "UBND"):
        assert kept in out.split()


def test_plain_mode_is_unchanged_by_the_ocr_machinery():
    plain = Restorer(options=Options(mode="plain"))
    assert plain.restore("x3 d6i ciia") == "x3 d6i ciia"  # not words in plain mode


def test_explain_matches_restore_in_ocr_mode(ocr_restorer):
    text = "Cép uy Pang, chinh quyén dia phuong\ncac ban nganh x3 d6i"
    assert "".join(c.output for c in ocr_restorer.explain(text)) == ocr_restorer.restore(text)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        Options(mode="scan")


def test_cli_mode_option(tmp_path, capsys):
    source = tmp_path / "scan.txt"
    source.write_text("cong tac x3 nim 2025\n", encoding="utf-8")
    assert main(["fix", str(source), "--mode", "ocr"]) == 0
    assert capsys.readouterr().out == "công tác xã năm 2025\n"
    assert main(["fix", str(source), "--mode", "scan"]) == 2


def test_layout_noise_is_handled_without_losing_text(ocr_restorer):
    # leading spaces, a line-end hyphen, scan debris: all kept, words around them restored
    text = "  Thyc hién cong-\ntac dan van ciia | co quan ~ nim 2025 _\n\n   II. KET QUA THUC HIEN\n"
    out = ocr_restorer.restore(text)
    assert out.count("\n") == text.count("\n")
    assert out.startswith("  ") and "\n\n   " in out
    for kept in ("-\n", " | ", " ~ ", " _\n"):
        assert kept in out
    assert "   II. KẾT QUẢ" in out  # a heading number is not OCR noise
    for word in ("Thực", "hiện", "dân", "vận", "của", "cơ", "quan", "năm", "KẾT", "QUẢ"):
        assert word in out, out


# ---- issue 9: correct text, idempotence, case, abbreviations, the keep choice ----------

@pytest.mark.parametrize("text", [
    "Độc lập - Tự do - Hạnh phúc",
    "HUYỆN ĐÔNG THÀNH\nXÃ AN HƯNG, An Hưng",
    "Theo điểm b khoản 1 Điều 5, đường dài 5 km.",
    "TT Đảng ủy, TT HĐND xã.",
])
def test_ocr_mode_leaves_correct_vietnamese_alone(ocr_restorer, text):
    assert ocr_restorer.restore(text) == text


def test_every_letter_keeps_a_floor_of_being_read_as_itself(candidates):
    import math
    from vnrestore.ocrmodel import SELF_FLOOR
    # English OCR never prints "đ" or "ư"; a Vietnamese engine does
    assert candidates.table.word_logprob("đư", "đư") >= 2 * math.log(SELF_FLOOR) - 0.1


def test_ocr_mode_is_idempotent_on_its_own_output(ocr_restorer):
    once = ocr_restorer.restore("Nguoi dan trong x3 d6i v&i chinh quyén ciia dia phuong nim 2025.\n"
                                "T6 chirc thuc hién tir ngay 15/8/2025 tai UBND x3.")
    assert ocr_restorer.restore(once) == once


@pytest.mark.parametrize("reading, restored", [
    ("T6 chirc hoi nghi", "Tổ chức hội nghị"),
    ("S6: 125/BC-UBND", "Số: 125/BC-UBND"),
    ("chAm dirt hop dong", "chấm dứt hợp đồng"),
    ("1. BO trwong, Chu nhiém Uy ban", "1. Bộ trưởng, Chủ nhiệm Ủy ban"),
    ("CONG HOA XA HOI CHU NGHiA VIET NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("biéu 8. T6 chic thuc hién", "Điều 8. Tổ chức thực hiện"),
    ("quy dinh tai khoan 2\nbiéu 45 Trach nhiém", "quy định tại khoản 2\nĐiều 45 Trách nhiệm"),
    ("khoa (bén phai), va 30 (ba muoi) ngay", "khoa (bên phải), và 30 (ba mươi) ngày"),  # b, not Đ
    ("Muc 5 PHI THUQC LINH VUC GIAO THONG", "Mục 5 PHÍ THUỘC LĨNH VỰC GIAO THÔNG"),
    ("Doan TNCS HO Chi Minh", "Đoàn TNCS Hồ Chí Minh"),  # an abbreviation is no heading
    ("phéi nop Ié phi tridc ba.", "phải nộp lệ phí trước bạ."),  # I read for l
    ("bao dam QP-AN quy I", "bảo đảm QP-AN quý I"),  # part of a compound keeps its caps
    # a short all-caps word beside a caps one is the heading's ("LY"), not "BO trwong"
    ("Muc 1 DAI LY TAU BIEN", "Mục 1 ĐẠI LÝ TÀU BIỂN"),
    ("tir thé ky VI dén thé ky XI", "từ thế kỷ VI đến thế kỷ XI"),  # Roman numerals
    ("Ban BI thu Trung wong", "Ban Bí thư Trung ương"),  # í read as I
    # Í read as a small i or f among all-caps words
    ("PHO Bi THU", "PHÓ BÍ THƯ"),
    ("Chuong III DANH MUC Bi MAT NHA NUOC", "Chương III DANH MỤC BÍ MẬT NHÀ NƯỚC"),
    ("XOA AN TiCH", "XÓA ÁN TÍCH"),
    ("sin bay quoc € I6n nhit ctia Viét Nam", "sân bay quốc tế lớn nhất của Việt Nam"),  # I for l

    # G read for a small ủ or ứ, J for l: lower case inside a sentence
    ("nghi quyét cla Huyén Gy va cac xa", "nghị quyết của Huyện ủy và các xã"),
    ("phan mém Gng dung cho ngudi dan", "phần mềm ứng dụng cho người dân"),
    ("Gng dung phan mém", "Ứng dụng phần mềm"),  # opening a sentence: Title
    ("Giang vién huéng dan sinh vién", "Giảng viên hướng dẫn sinh viên"),  # a g-word keeps its G
])
def test_case_comes_from_the_letters_not_the_digits(ocr_restorer, reading, restored):
    assert ocr_restorer.restore(reading) == restored


def test_abbreviations_are_what_they_look_like(ocr_restorer):
    assert ocr_restorer.restore("- TT Pang uy, TT HDND x3;") == "- TT Đảng ủy, TT HĐND xã;"


@pytest.mark.parametrize("reading, expected", [
    ("Ban chap hanh Pang b6 x3 tir ndm 2020", "từ"),
    ("viec ¢ nha va cong tac ctr tri", "cử"),
    ("viec ¢ nha va cong tac ctr tri", "ở"),
])
def test_short_noisy_words_are_not_kept_as_read(ocr_restorer, reading, expected):
    assert expected in ocr_restorer.restore(reading).split()


@pytest.mark.parametrize("reading, restored", [
    ("nghiép dugc bdo hiém ¢ Viét Nam.", "nghiệp được bảo hiểm ở Việt Nam."),
    ("bi phan cat yéu thi &\nhoc tap (khoa dao tao) & trinh do", "bị phân cắt yếu thì ở\nhọc tập (khóa đào tạo) ở trình độ"),
    ("cong ty Johnson & Johnson", "công ty Johnson & Johnson"),
])
def test_a_lone_symbol_where_a_syllable_stands(ocr_restorer, reading, restored):
    assert ocr_restorer.restore(reading) == restored


def test_english_words_in_an_english_phrase_may_stay(ocr_restorer):
    out = ocr_restorer.restore("Hoi thao voi chu dé the best of both worlds")
    assert "best of both worlds" in out


def test_a_period_between_lower_case_words_is_a_misread_comma(ocr_restorer):
    out = ocr_restorer.restore("nhiém vu. quyén han ctia minh. bao dam")
    assert out == "nhiệm vụ, quyền hạn của mình, bảo đảm"
    # and what follows it does not open a sentence: "bao" stays lower case, not Đ
    assert ocr_restorer.restore("Apple Inc. la cong ty. Bién") == "Apple Inc. là công ty. Biển"


def test_periods_on_correct_lines_stay(ocr_restorer):
    text = "Công ty Apple Inc. là một công ty. được thành lập"
    assert ocr_restorer.restore(text) == text


def test_a_word_without_a_vowel_may_stay_as_read(ocr_restorer):
    # a unit or a letter as often as noise: keeping it is a choice, "ctr" still becomes cử
    assert ocr_restorer.restore("dién tich 5 km vudng") == "diện tích 5 km vuông"
    assert "cử" in ocr_restorer.restore("viec ¢ nha va cong tac ctr tri").split()


def test_a_number_between_lower_case_words_may_be_a_misread_syllable(ocr_restorer):
    out = ocr_restorer.restore("3. T6 chic, gia dinh va cd nhn 6 trach nhiém cham lo")
    assert out == "3. Tổ chức, gia đình và cá nhân có trách nhiệm chăm lo"
    # a number the context wants stays a number, and explain says it was kept
    assert ocr_restorer.restore("lop 6 truong tiéu hoc") == "lớp 6 trường tiểu học"
    number = [c for c in ocr_restorer.explain("lop 6 truong tiéu hoc") if c.input == "6"][0]
    assert number.output == "6" and number.source == "kept"


# ---- auto mode on a Vietnamese OCR engine's output ---------------------------------

# Made up in the way Tesseract's Vietnamese model errs: a hook tone read as an acute
# (tổ -> tố, kể -> kế, tổng -> tống, để -> đế), every other word right; a page's worth
# of words (auto mode judges 200 words or more).
REPAIRED = ("Tổ chức thực hiện Quyết định này kể từ ngày ký.\n"
            "Ủy ban nhân dân tỉnh chịu trách nhiệm tổng hợp, báo cáo kết quả thực hiện.\n"
            "Các cơ quan có liên quan phối hợp để triển khai.\n"
            + "Trong năm qua, các chi bộ đã tập trung lãnh đạo thực hiện nhiệm vụ phát triển kinh tế, "
              "bảo đảm an sinh xã hội và giữ vững quốc phòng, an ninh trên địa bàn xã.\n"
              "Công tác cải cách hành chính được chú trọng, thủ tục được giải quyết đúng hạn, "
              "người dân và doanh nghiệp hài lòng với chất lượng phục vụ của cán bộ.\n" * 4)
VIETNAMESE_ENGINE = (REPAIRED.replace("Tổ chức", "Tố chức").replace("kể từ", "kế từ")
                     .replace("tổng hợp", "tống hợp").replace("để triển", "đế triển"))


def test_auto_mode_repairs_a_vietnamese_engines_output(restorer):
    assert restorer.restore(VIETNAMESE_ENGINE) == REPAIRED
    assert restorer.restore_many([VIETNAMESE_ENGINE, REPAIRED]) == [REPAIRED, REPAIRED]
    assert "".join(c.output for c in restorer.explain(VIETNAMESE_ENGINE)) == REPAIRED
    assert "".join(restorer.restore_lines(VIETNAMESE_ENGINE.splitlines(keepends=True))) == REPAIRED
    assert ["".join(c.output for c in mine) for mine in restorer.explain_many([VIETNAMESE_ENGINE])] == [REPAIRED]


def test_auto_mode_needs_several_repairs_to_read_accented_text_as_ocr(restorer):
    # correct accented text stays as it is, and so does one odd word in it: plain
    # mode, which keeps every accented word, decides such a text
    assert restorer.restore(REPAIRED) == REPAIRED
    one = REPAIRED.replace("Tổ chức", "Tố chức")
    assert restorer.restore(one) == one
    # and a few lines are too short to tell (a record, a title): plain mode, which keeps
    # an accented word unless the LM prefers another of its forms by retone_cost (here
    # none: each of these slips makes pairs the corpus has, tống hợp, kế từ)
    short = "\n".join(VIETNAMESE_ENGINE.split("\n")[:3])
    assert restorer.restore(short) == Restorer(restorer.model, mode="plain").restore(short) == short
