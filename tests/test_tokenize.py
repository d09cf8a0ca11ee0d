"""The tokenizer is lossless and keeps codes, numbers, URLs and e-mails whole."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.tokenize import CODE, NEWLINE, NUMBER, PUNCT, SPACE, WORD, render, tokenize

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ÁÀẢÃẠÉÈÓÒÚÙÝỲĐỨỪỰ"
)
COMBINING = "".join(chr(c) for c in range(0x300, 0x324))
ALPHABET = VIETNAMESE_LETTERS + "0123456789" + ".,;:!?()[]\"'“”‘’-–—…/%&*+=<>@_#" + " \t\u00a0" + COMBINING

vietnamese_text = st.lists(
    st.one_of(
        st.text(alphabet=ALPHABET, max_size=12),
        st.sampled_from(["\n", "\r\n", "\r", " ", "  ", "\n\n", "https://", "www.", "@", "."]),
    ),
    max_size=25,
).map("".join)


def check_lossless(text: str, offset: int = 0) -> list:
    tokens = list(tokenize(text, offset))
    assert render(tokens) == text
    pos = offset
    for tok in tokens:
        assert tok.start == pos, (tok, pos)
        assert tok.end > tok.start
        assert tok.text == text[tok.start - offset: tok.end - offset]
        assert tok.kind in (WORD, NUMBER, CODE, PUNCT, SPACE, NEWLINE)
        pos = tok.end
    assert pos == offset + len(text)
    return tokens


@given(st.text())
@settings(max_examples=400, deadline=None)
def test_lossless_arbitrary_text(text):
    check_lossless(text)


@given(vietnamese_text, st.integers(0, 1000))
@settings(max_examples=400, deadline=None)
def test_lossless_vietnamese_alphabet(text, offset):
    tokens = check_lossless(text, offset)
    for tok in tokens:
        if tok.kind == WORD:
            # words are letters with their combining marks, nothing else
            assert all(unicodedata.category(ch)[0] in "LM" for ch in tok.text), tok
        if tok.kind == SPACE:
            assert tok.text.isspace() and "\n" not in tok.text and "\r" not in tok.text
        if tok.kind == NEWLINE:
            assert tok.text in ("\n", "\r\n", "\r", "\u2028", "\u2029")


@given(vietnamese_text, st.dictionaries(st.integers(0, 30), st.text(max_size=5)))
@settings(max_examples=100, deadline=None)
def test_render_with_replacements(text, replacements):
    tokens = list(tokenize(text))
    expected = "".join(replacements.get(i, t.text) for i, t in enumerate(tokens))
    assert render(tokens, replacements) == expected


def kinds(text):
    return [(t.kind, t.text) for t in tokenize(text) if t.kind not in (SPACE,)]


@pytest.mark.parametrize(
    "code",
    ["6217/SNV-XDCQ&CTTN", "33/CT-TTg", "1.000.000", "20/11/2010", "12,5", "08:30",
     "https://example.vn/van-ban/so-1?id=2&x=3", "http://www.chinhphu.vn", "www.example.com/a_b",
     "nguyen.van.a@example.com.vn", "lien_he+1@so-noi-vu.gov.vn", "ND-CP/2020", "A4", "COVID-19"],
)
def test_codes_are_single_non_word_tokens(code):
    for text in (code, f"Theo {code} ngay", f"({code})", f"{code}.", f"{code},"):
        tokens = [t for t in tokenize(text) if t.text == code]
        assert len(tokens) == 1, (text, list(tokenize(text)))
        assert tokens[0].kind in (CODE, NUMBER)


@pytest.mark.parametrize("number", ["1.000.000", "20/11/2010", "2010", "3,14"])
def test_numbers(number):
    (tok,) = tokenize(number)
    assert tok.kind == NUMBER


def test_url_excludes_trailing_punctuation():
    text = "Xem https://example.vn/a/b. Tiep"
    toks = kinds(text)
    assert (CODE, "https://example.vn/a/b") in toks
    assert (PUNCT, ".") in toks


def test_hyphenated_place_names_are_words():
    for text in ("Bà Rịa-Vũng Tàu", "Ba Ria-Vung Tau"):
        toks = kinds(text)
        assert [k for k, _ in toks] == [WORD, WORD, PUNCT, WORD, WORD]
        assert [w for k, w in toks if k == WORD] == text.replace("-", " ").split()


def test_nfd_words_are_one_token():
    text = unicodedata.normalize("NFD", "Cộng hòa xã hội chủ nghĩa Việt Nam")
    words = [t for t in tokenize(text) if t.kind == WORD]
    assert [w.text for w in words] == text.split(" ")


def test_newlines():
    toks = list(tokenize("a\r\nb\n\nc\rd"))
    assert [t.text for t in toks if t.kind == NEWLINE] == ["\r\n", "\n", "\n", "\r"]
    assert [t.text for t in toks if t.kind == WORD] == ["a", "b", "c", "d"]


def test_abbreviation_with_dots_is_split():
    toks = kinds("v.v.")
    assert toks == [(WORD, "v"), (PUNCT, "."), (WORD, "v"), (PUNCT, ".")]


def test_empty():
    assert list(tokenize("")) == []
    assert render([]) == ""


# Regression (fixed in the source while these tests were written): the url pattern (https?://|www\.) is case-sensitive: a capitalised or upper-
# case URL is split into words and punctuation, and its parts can then be restored
# ('Www.Dan.Toc' -> 'Www.Đan.Tốc')
@pytest.mark.parametrize("url", ["Https://example.vn/tin-tuc", "HTTPS://EXAMPLE.VN/A", "WWW.EXAMPLE.COM", "Www.dan.toc"])
def test_url_scheme_is_case_insensitive(url):
    (tok,) = tokenize(url)
    assert tok.kind == CODE
