"""Legacy font encodings: code tables, decoding and encoding, detection, convert()."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.legacy import (
    TABLES,
    TCVN3,
    VNI,
    convert,
    decode_legacy,
    detect_legacy,
    encode_legacy,
)
from vnrestore.orthography import strip_accents

ENCODINGS = ("tcvn3", "vni")

# Every Vietnamese letter other than plain ASCII: 12 vowels x 6 tones (minus the 6 plain
# ASCII vowels a e i o u y) + đ = 67 lower-case letters.
_VOWELS = "aăâeêioôơuưy"
_TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER_LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONE_MARKS} - set("aeiouy")
    | {"đ"}
)
ALL_LETTERS = LOWER_LETTERS + [c.upper() for c in LOWER_LETTERS]


def cp(*codes: int) -> str:
    """Legacy bytes as they read when decoded with cp1252."""
    return bytes(codes).decode("cp1252")


# --------------------------------------------------------------------------- tables

# TCVN 5712:1993 set VN3 ("ABC"), published code table; the same values are in the
# TCVN5712-1 charmap of glibc, which also carries VN1's extra capitals.
TCVN3_PUBLISHED = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBE: "ắ", 0xC6: "ặ",
    0xCA: "ấ", 0xCB: "ậ", 0xD0: "é", 0xD5: "ế", 0xD6: "ệ", 0xDC: "ĩ", 0xDD: "í",
    0xDF: "ò", 0xE3: "ó", 0xE8: "ố", 0xE9: "ộ", 0xED: "ớ", 0xF1: "ủ", 0xF3: "ú",
    0xF5: "ừ", 0xF8: "ứ", 0xFA: "ỳ", 0xFD: "ý", 0xFE: "ỵ",
}

# VNI-Windows code table (VNI Software; as reproduced in Unikey/xvnkb converter tables):
# base letter + mark byte, or a single byte.
VNI_PUBLISHED = {
    b"a\xf8": "à", b"a\xfb": "ả", b"a\xf5": "ã", b"a\xf9": "á", b"a\xef": "ạ",
    b"a\xea": "ă", b"a\xe8": "ằ", b"a\xfa": "ẳ", b"a\xfc": "ẵ", b"a\xe9": "ắ", b"a\xeb": "ặ",
    b"a\xe2": "â", b"a\xe0": "ầ", b"a\xe5": "ẩ", b"a\xe3": "ẫ", b"a\xe1": "ấ", b"a\xe4": "ậ",
    b"e\xe2": "ê", b"o\xe4": "ộ", b"\xf4": "ơ", b"\xf4\xef": "ợ", b"\xf6": "ư", b"\xf6\xf9": "ứ",
    b"\xec": "ì", b"\xe6": "ỉ", b"\xf3": "ĩ", b"\xed": "í", b"\xf2": "ị", b"\xee": "ỵ",
    b"\xf1": "đ", b"\xd1": "Đ", b"O\xc4": "Ộ", b"\xd6\xd5": "Ữ", b"A\xca": "Ă", b"\xce": "Ỵ",
}


def test_table_sizes_and_coverage():
    # TCVN3: all 67 lower-case letters + the 7 capitals Ă Â Ê Ô Ơ Ư Đ; VNI: all 134.
    assert sorted(TCVN3.values()) == sorted(LOWER_LETTERS + list("ĂÂÊÔƠƯĐ"))
    assert sorted(VNI.values()) == sorted(ALL_LETTERS)
    for table in TABLES.values():
        assert len(set(table.values())) == len(table)  # one code per letter
        assert all(v == unicodedata.normalize("NFC", v) and len(v) == 1 for v in table.values())


@pytest.mark.parametrize("code, letter", sorted(TCVN3_PUBLISHED.items()))
def test_tcvn3_published_codes(code, letter):
    assert TCVN3[cp(code)] == letter
    assert encode_legacy(letter, "tcvn3").encode("cp1252") == bytes([code])


@pytest.mark.parametrize("code, letter", sorted(VNI_PUBLISHED.items()))
def test_vni_published_codes(code, letter):
    assert VNI[code.decode("cp1252")] == letter
    assert encode_legacy(letter, "vni").encode("cp1252") == code


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_entry_round_trips(encoding):
    for code, letter in TABLES[encoding].items():
        assert encode_legacy(letter, encoding) == code
        assert decode_legacy(code, encoding) == letter


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_codes_read_the_same_as_latin1_and_cp1252(encoding):
    # Every code byte is in 0xA1-0xFE, where the two decodings agree.
    for code in TABLES[encoding]:
        raw = code.encode("cp1252")
        assert raw.decode("latin-1") == code
        assert all(0xA1 <= b <= 0xFE for b in raw if b >= 0x80)


def test_bytes_0x80_to_0x9f_pass_through_either_way():
    raw = b"\x93C\xe9ng ho\xb5\x94 \x96 x\xb7 h\xe9i"
    assert decode_legacy(raw.decode("cp1252"), "tcvn3") == "“Cộng hoà” – xã hội"
    assert decode_legacy(raw.decode("latin-1"), "tcvn3") == "\x93Cộng hoà\x94 \x96 xã hội"


def test_tcvn3_agrees_with_glibc_iconv():
    if not shutil.which("iconv"):
        pytest.skip("iconv not installed")
    codes = sorted(TCVN3)
    raw = " ".join(codes).encode("cp1252")
    result = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw,
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    assert result.stdout.decode().split(" ") == [TCVN3[c] for c in codes]


# ------------------------------------------------------------- decoding and encoding

def test_known_tcvn3_example():
    # 0xE9 = ộ, 0xB5 = à, 0xB7 = ã, 0xF1 = ủ, 0xDC = ĩ, 0xD6 = ệ: the table keeps the
    # tone where the typist put it (hoà, old style).
    assert (decode_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3")
            == "Cộng hoà xã hội chủ nghĩa Việt Nam")


def test_known_vni_example():
    assert (decode_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni")
            == "Cộng hòa xã hội chủ nghĩa Việt Nam")


def test_vni_longest_match_first():
    assert decode_legacy("ôø ô öôùc", "vni") == "ờ ơ ước"
    assert decode_legacy("Ñaø Naüng, ÑAØ NAÜNG", "vni") == "Đà Nẵng, ĐÀ NẴNG"


def test_other_characters_untouched():
    text = "Điều 5 (khoản 2): 12,5% – see “annex”; café\tOK\r\n"
    # Only cp1252 letters that are codes change; ASCII, digits and the rest stay.
    assert decode_legacy("Hello, world! 42\n\tA-B_C", "tcvn3") == "Hello, world! 42\n\tA-B_C"
    assert decode_legacy("Hello, world! 42\n\tA-B_C", "vni") == "Hello, world! 42\n\tA-B_C"
    assert decode_legacy(text, "vni") == text  # é after f is no VNI code


def test_tcvn3_capitals():
    # TCVN3 has no capitals with a tone: a capital font shows the lower-case codes.
    assert encode_legacy("Ộ", "tcvn3") == encode_legacy("ộ", "tcvn3") == cp(0xE9)
    assert encode_legacy("Đ", "tcvn3") == cp(0xA7)  # Đ has its own code
    # Words and heading lines typed in capitals come back in capitals.
    assert decode_legacy("CéNG HOµ ViÖt", "tcvn3") == "CỘNG HOÀ Việt"
    assert decode_legacy("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM\n§éc lËp", "tcvn3") == (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập")
    # One capital letter is a title, not all caps: Mü is Mỹ, and a name line stays.
    assert decode_legacy("n\xadíc Mü", "tcvn3") == "nước Mỹ"
    assert decode_legacy("Lª Vò", "tcvn3") == "Lê Vũ"


def test_encode_accepts_decomposed_input():
    text = "Người Việt ở Đà Nẵng"
    for encoding in ENCODINGS:
        nfd = unicodedata.normalize("NFD", text)
        assert encode_legacy(nfd, encoding) == encode_legacy(text, encoding)


@pytest.mark.parametrize("function", [decode_legacy, encode_legacy])
def test_unknown_encoding(function):
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        function("abc", "viscii")


# Words of my own choosing: every vowel with every tone, đ, and the hard clusters.
WORDS = """
an bà cá giả ngã hạt ăn hằng bắt cẳng ẵm mặt cân cầu bấm cẩn lẫn bậc
em bè xé kẻ vẽ mẹ đêm về kế để dễ việt in mì tí chỉ nghĩ chị
con bò có hỏi võ họ tôi hồ số tổ đỗ một ơn chờ mới ở vỡ lợi
ngu mù cú củ vũ cụ thư từ thứ sử những lực ly kỳ ý tỷ kỹ quỵ
đi được người nước khuya quyển giường nghiêng thuở xoáy hoà khoẻ tuỳ
""".split()
SEPARATORS = [" ", "  ", ", ", ". ", "; ", ": ", "! ", "? ", " - ", " (", ") ", " 12 ",
              " 2024, ", ' "', '" ', "\t"]


def test_word_list_covers_every_letter():
    assert set("".join(WORDS)) >= set(LOWER_LETTERS)


def _tcvn3_keeps(word: str) -> bool:
    """Whether TCVN3 can write `word` unambiguously: all its letters have codes, or it is
    in capitals with an ASCII capital after the first letter (capital-font typing)."""
    if all(c.isascii() or c in TCVN3.values() for c in word):
        return True
    return word.isupper() and any("A" <= c <= "Z" for c in word[1:])


def _cased(case: str, word: str) -> str:
    return {"lower": word, "title": word[:1].upper() + word[1:], "upper": word.upper()}[case]


def _lines(cases, keep=lambda w: True, anchor=None):
    word = st.builds(_cased, st.sampled_from(cases), st.sampled_from(WORDS)).filter(keep)
    line = st.lists(st.tuples(word, st.sampled_from(SEPARATORS)), min_size=1, max_size=12)
    line = line.map(lambda pairs: "".join(w + s for w, s in pairs).strip())
    if anchor:
        line = line.map(lambda text: text + " " + anchor)
    return st.lists(line, min_size=1, max_size=5).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(_lines(["lower", "title", "upper"]))
def test_vni_round_trip(text):
    assert decode_legacy(encode_legacy(text, "vni"), "vni") == text


@settings(max_examples=150, deadline=None)
@given(_lines(["lower", "title"], keep=_tcvn3_keeps))
def test_tcvn3_round_trip(text):
    assert decode_legacy(encode_legacy(text, "tcvn3"), "tcvn3") == text


@settings(max_examples=100, deadline=None)
@given(_lines(["upper"], anchor="NAM"))
def test_tcvn3_round_trip_capital_lines(text):
    # Lines in capitals (with one word that shows it, here NAM) decode to capitals.
    assert decode_legacy(encode_legacy(text, "tcvn3"), "tcvn3") == text


# ------------------------------------------------------------------------ detection

SENTENCES = [
    "Sáng nay trời mưa nhẹ nhưng chúng tôi vẫn đến trường đúng giờ.",
    "Mẹ tôi nấu một nồi canh chua rất ngon cho cả gia đình.",
    "Thư viện của thành phố mở cửa từ bảy giờ sáng đến tám giờ tối.",
    "Những cánh đồng lúa xanh mướt trải dài tới tận chân núi phía xa.",
    "Ông bà ngoại thường kể cho cháu nghe chuyện cổ tích vào mỗi buổi chiều.",
]
HEADING = "QUY ĐỊNH VỀ VIỆC MƯỢN SÁCH"
VIETNAMESE = HEADING + "\n" + "\n".join(SENTENCES) + "\n"

NOT_LEGACY = {
    "unicode": VIETNAMESE,
    "unicode-nfd": unicodedata.normalize("NFD", VIETNAMESE),
    "stripped": strip_accents(VIETNAMESE),
    "english": "The library opens at seven in the morning and closes at eight in the "
               "evening.\nStudents may borrow up to five books for two weeks.",
    "french": "Nous avons visité le musée près de la cathédrale, où l'on a goûté un café "
              "très fort. Ça coûte cher, mais c'était déjà prévu. Le thé à la menthe était "
              "délicieux; né à Lyon, il a été élevé là-bas. Où es-tu? où vas-tu? où est-il?",
    "german": "Über die alte Brücke gehen wir jeden Morgen zur Schule. Die Straße ist "
              "schön, aber für Fußgänger ist sie zu schmal. Größere Häuser stehen am Fluß, "
              "und die Bäume blühen früh.",
    "spanish": "El niño pequeño comió una manzana en el jardín. Mañana iremos a la "
               "montaña con mis compañeros; allí está el árbol más viejo.",
    "cp1252-signs": "The sensor resolves 5 µm features (see ¶ 4.2 of the datasheet).\n"
                    "© 2023 Example Corp. « Prices » 3 × 4 ± 2 · 10 ÷ 5 ¶ 7 µ µ ©\n"
                    "Section § 7 applies; the µ-controller draws 20 µA ® ¼ ½ ¾.",
    "utf8-as-cp1252": VIETNAMESE.encode("utf-8").decode("cp1252", "replace"),
    "empty": "",
    "blank": "  \n\t\n",
    "numbers": "12 345 6789\n2024-01-15 3,14 1.000.000",
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detects_legacy_text(encoding):
    assert detect_legacy(encode_legacy(VIETNAMESE, encoding)) == encoding
    assert detect_legacy(encode_legacy(strip_accents(HEADING) + "\n" + "\n".join(SENTENCES[:2]),
                                       encoding)) == encoding


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_single_sentences(encoding, sentence):
    assert detect_legacy(encode_legacy(sentence, encoding)) == encoding


def test_detects_known_examples():
    assert detect_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "tcvn3"
    assert detect_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "vni"


@pytest.mark.parametrize("name", sorted(NOT_LEGACY))
def test_not_detected(name):
    assert detect_legacy(NOT_LEGACY[name]) is None


@settings(max_examples=100, deadline=None)
@given(_lines(["lower", "title", "upper"]), st.sampled_from(["NFC", "NFD"]))
def test_unicode_vietnamese_never_detected(text, form):
    assert detect_legacy(unicodedata.normalize(form, text)) is None
    assert detect_legacy(strip_accents(text)) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=20, max_size=40, unique=True),
       st.sampled_from(ENCODINGS))
def test_long_legacy_text_detected(words, encoding):
    assert detect_legacy(encode_legacy(" ".join(words), encoding)) == encoding


def test_too_little_evidence():
    # Two words are not enough to call it legacy text.
    assert detect_legacy("Céng hoµ") is None


# ------------------------------------------------------------------------- convert()

def test_convert_modes():
    legacy = encode_legacy(VIETNAMESE, "tcvn3")
    assert convert(legacy) == (VIETNAMESE, "tcvn3")
    assert convert(legacy, "auto") == (VIETNAMESE, "tcvn3")
    assert convert(legacy, "off") == (legacy, None)
    assert convert(VIETNAMESE) == (VIETNAMESE, None)
    vni = encode_legacy(VIETNAMESE, "vni")
    assert convert(vni, "vni") == (VIETNAMESE, "vni")
    # A forced mode converts even without evidence.
    assert convert("x·", "tcvn3") == ("xã", "tcvn3")


def test_convert_unknown_mode():
    with pytest.raises(ValueError, match="unknown legacy-encoding mode 'latin1'.*auto"):
        convert("text", "latin1")


# --- streams and the command line ----------------------------------------------------

STREAM_TEXT = ("Cộng hòa xã hội chủ nghĩa Việt Nam\n"
               "Độc lập tự do hạnh phúc cho mọi người dân trong cả nước\n"
               "Hội đồng nhân dân tỉnh họp thường kỳ để quyết định nhiều việc quan trọng\n")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_convert_lines_decides_once_for_the_stream(encoding):
    from vnrestore.legacy import convert_lines

    legacy_lines = encode_legacy(STREAM_TEXT, encoding).splitlines(keepends=True)
    assert "".join(convert_lines(iter(legacy_lines), "auto")) == STREAM_TEXT
    assert "".join(convert_lines(iter(legacy_lines), encoding)) == STREAM_TEXT
    assert list(convert_lines(iter(legacy_lines), "off")) == legacy_lines
    plain = STREAM_TEXT.splitlines(keepends=True)
    assert list(convert_lines(iter(plain), "auto")) == plain  # Unicode stays as it is


def test_convert_lines_rejects_an_unknown_mode():
    from vnrestore.legacy import convert_lines

    with pytest.raises(ValueError, match="unknown legacy-encoding mode"):
        list(convert_lines(["x\n"], "abc"))


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_cli_converts_legacy_files(tmp_path, capsys, encoding):
    from vnrestore.cli import main

    source = tmp_path / "old.txt"
    source.write_text(encode_legacy(STREAM_TEXT, encoding), encoding="utf-8")
    assert main(["fix", str(source)]) == 0
    assert capsys.readouterr().out == STREAM_TEXT
    assert main(["fix", str(source), "--legacy", "off"]) == 0
    assert capsys.readouterr().out != STREAM_TEXT
