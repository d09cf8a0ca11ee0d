"""Syllable structure: keys, tone splitting and placement, styles, validity."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.orthography import (
    HOI,
    HUYEN,
    NANG,
    NGA,
    NGANG,
    ONSETS,
    RHYMES,
    SAC,
    has_accents,
    is_valid_syllable,
    key,
    normalize_syllable,
    place_tone,
    split_tone,
    strip_accents,
)

TONES = (NGANG, SAC, HUYEN, HOI, NGA, NANG)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --- key / strip_accents -------------------------------------------------------------

@pytest.mark.parametrize(
    "text, stripped",
    [
        ("Đảng", "Dang"),
        ("đường", "duong"),
        ("CỘNG HÒA", "CONG HOA"),
        ("Việt Nam", "Viet Nam"),
        ("người", "nguoi"),
        ("Ă Â Ê Ô Ơ Ư", "A A E O O U"),
        ("abc 123 /-&", "abc 123 /-&"),
        ("", ""),
    ],
)
def test_strip_accents_keeps_case(text, stripped):
    assert strip_accents(text) == stripped
    assert strip_accents(nfd(text)) == stripped


@pytest.mark.parametrize(
    "form, k",
    [("Đảng", "dang"), ("Hoà", "hoa"), ("hòa", "hoa"), ("THUỶ", "thuy"), ("Quốc", "quoc"),
     ("giữa", "giua"), ("nghiêng", "nghieng"), ("ĐĐ", "dd")],
)
def test_key(form, k):
    assert key(form) == k
    assert key(nfd(form)) == k


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_strip_accents_properties(text):
    stripped = strip_accents(text)
    # idempotent, no combining marks left, no đ left, and NFD input gives the same result
    assert strip_accents(stripped) == stripped
    assert not any(unicodedata.combining(ch) for ch in stripped)
    assert "đ" not in stripped and "Đ" not in stripped
    assert strip_accents(nfd(text)) == stripped
    assert key(text) == stripped.lower()


def test_has_accents():
    assert has_accents("việt")
    assert has_accents("đi")
    assert not has_accents("viet")


# --- split_tone / place_tone ---------------------------------------------------------

# (syllable, style it is spelled in, letters without tone, tone)
SYLLABLES = [
    ("hòa", "new", "hoa", HUYEN),
    ("hoà", "old", "hoa", HUYEN),
    ("hòe", "new", "hoe", HUYEN),
    ("hoè", "old", "hoe", HUYEN),
    ("thủy", "new", "thuy", HOI),
    ("thuỷ", "old", "thuy", HOI),
    ("ủy", "new", "uy", HOI),
    ("uỷ", "old", "uy", HOI),
    ("quốc", None, "quôc", SAC),
    ("giữa", None, "giưa", NGA),
    ("gì", None, "gi", HUYEN),
    ("gìn", None, "gin", HUYEN),
    ("giá", None, "gia", SAC),
    ("giếng", None, "giêng", SAC),
    ("người", None, "ngươi", HUYEN),
    ("thuở", None, "thuơ", HOI),
    ("quỳnh", None, "quynh", HUYEN),
    ("quý", None, "quy", SAC),
    ("quyển", None, "quyên", HOI),
    ("khuya", None, "khuya", NGANG),
    ("khuỷu", None, "khuyu", HOI),
    ("nghiêng", None, "nghiêng", NGANG),
    ("nghiệp", None, "nghiêp", NANG),
    ("của", None, "cua", HOI),
    ("mùa", None, "mua", HUYEN),
    ("tuổi", None, "tuôi", HOI),
    ("ngoài", None, "ngoai", HUYEN),
    ("xoáy", None, "xoay", SAC),
    ("hoàng", None, "hoang", HUYEN),
    ("thuế", None, "thuê", SAC),
    ("việt", None, "viêt", NANG),
    ("đường", None, "đương", HUYEN),
    ("chữ", None, "chư", NGA),
    ("a", None, "a", NGANG),
    ("ở", None, "ơ", HOI),
]


@pytest.mark.parametrize("syllable, style, letters, tone", SYLLABLES)
def test_split_and_place_round_trip(syllable, style, letters, tone):
    assert split_tone(syllable) == (letters, tone)
    assert split_tone(nfd(syllable)) == (letters, tone)
    styles = ("new", "old") if style is None else (style,)
    for s in styles:
        assert place_tone(letters, tone, s) == syllable
        assert normalize_syllable(syllable, s) == syllable
        assert normalize_syllable(nfd(syllable), s) == syllable
    assert is_valid_syllable(syllable)
    assert key(syllable) == key(place_tone(letters, tone, "new")) == strip_accents(syllable)


@pytest.mark.parametrize(
    "new, old",
    [("hòa", "hoà"), ("hòe", "hoè"), ("thủy", "thuỷ"), ("ủy", "uỷ"), ("lõa", "loã"),
     ("khỏe", "khoẻ"), ("túy", "tuý"), ("họa", "hoạ")],
)
def test_styles_differ_for_open_oa_oe_uy(new, old):
    assert normalize_syllable(old, "new") == new
    assert normalize_syllable(new, "old") == old
    assert normalize_syllable(new, "new") == new
    assert normalize_syllable(old, "old") == old


def _onset_rest(letters: str) -> tuple[str, str]:
    for onset in ONSETS:
        if letters.startswith(onset):
            rest = letters[len(onset):]
            if onset in ("gi", "qu") and not (rest and rest[0] in "aăâeêioôơuưy"):
                continue
            return onset, rest
    return "", letters


@given(
    onset=st.sampled_from(("",) + ONSETS),
    rhyme=st.sampled_from(sorted(RHYMES)),
    tone=st.sampled_from(TONES),
)
@settings(max_examples=400, deadline=None)
def test_styles_only_differ_for_open_oa_oe_uy(onset, rhyme, tone):
    s = place_tone(onset + rhyme, tone, "new")
    new, old = normalize_syllable(s, "new"), normalize_syllable(s, "old")
    _, rest = _onset_rest(onset + rhyme)
    if tone != NGANG and rest in ("oa", "oe", "uy"):
        assert new != old
    else:
        assert new == old
    # either way the two spellings carry the same tone and letters
    assert split_tone(new) == split_tone(old) == (onset + rhyme, tone)


# --- validity ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "syllable",
    ["công", "tác", "dân", "vận", "học", "quốc", "việt", "người", "nghiêng", "giữa", "gì",
     "khuya", "thuở", "quỳnh", "hòa", "hoà", "thủy", "thuỷ", "ủy", "kon", "ghế", "nghĩ",
     "đường", "xã", "hội", "chủ", "nghĩa", "a", "ở", "y", "uyên", "oanh", "giếng", "quýt"],
)
def test_valid_syllables(syllable):
    assert is_valid_syllable(syllable)


@pytest.mark.parametrize(
    "syllable",
    [
        # stop finals take only sắc or nặng
        "hoc", "quoc", "viet", "tac", "hoàc", "viềt", "thỉch", "đẹp".replace("ẹ", "ẽ"),
        # two tone marks
        "hóà", "việ\u0301t", "ngươ\u0300i\u0301",
        # not letters / empty
        "", "ho1", "a-b", "a b", "hoa.", "123",
        # bad onset/rhyme combinations and non-syllables
        "gha", "nghô", "ci", "nge", "xyz", "str", "hoaf", "computer",
    ],
)
def test_invalid_syllables(syllable):
    assert not is_valid_syllable(syllable)


@given(
    onset=st.sampled_from(("",) + ONSETS),
    rhyme=st.sampled_from(sorted(RHYMES)),
    tone=st.sampled_from(TONES),
    style=st.sampled_from(("new", "old")),
)
@settings(max_examples=500, deadline=None)
def test_restyling_round_trip(onset, rhyme, tone, style):
    s = place_tone(onset + rhyme, tone, style)
    if not is_valid_syllable(s):
        return
    new = normalize_syllable(s, "new")
    old = normalize_syllable(s, "old")
    assert normalize_syllable(old, "new") == new
    assert normalize_syllable(new, "old") == old
    assert key(old) == key(new) == key(s)
    assert is_valid_syllable(new) and is_valid_syllable(old)
    # exactly one tone mark (or none), and NFC
    marks = sum(ch in "\u0300\u0301\u0303\u0309\u0323" for ch in nfd(new))
    assert marks == (tone != NGANG)
    assert unicodedata.is_normalized("NFC", new)
