"""End to end with the packaged default model: restore, explain, Restorer."""

from __future__ import annotations

import functools
import itertools
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vnrestore
from vnrestore import Options, Restorer, blocks, pipeline
from vnrestore.orthography import is_valid_syllable, key, normalize_syllable, strip_accents
from vnrestore.segment import segments, symbol
from vnrestore.ocr import NOISY_WORD
from vnrestore.tokenize import CODE, WORD, tokenize
from conftest import shared_restorer

# The compiled decoder and the pure one (conftest.both_decoders): each test so marked runs on both.
both_paths = pytest.mark.usefixtures("both_decoders")


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- known phrases -------------------------------------------------------------------

@pytest.mark.parametrize(
    "plain, restored",
    [
        ("Cong hoa xa hoi chu nghia Viet Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("CONG TAC LANH DAO", "CÔNG TÁC LÃNH ĐẠO"),
        ("cong tac dan van", "công tác dân vận"),
        ("Doc lap - Tu do - Hanh phuc", "Độc lập - Tự do - Hạnh phúc"),
        ("Uy ban nhan dan", "Ủy ban nhân dân"),
        ("Thu tuong Chinh phu", "Thủ tướng Chính phủ"),
        ("Ba Ria-Vung Tau", "Bà Rịa-Vũng Tàu"),
        ("Toi di hoc. Anh o nha!", "Tôi đi học. Anh ở nhà!"),
    ],
)
def test_known_phrases(plain, restored):
    assert vnrestore.restore(plain) == restored


def test_old_style():
    assert vnrestore.restore("Cong hoa xa hoi chu nghia Viet Nam", style="old") == \
        "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert "hoà" in Restorer(style="old").restore("hoa binh")
    assert "Ủy" in vnrestore.restore("Uy ban nhan dan") and "Uỷ" in vnrestore.restore("Uy ban nhan dan", style="old")


def test_options_are_checked():
    with pytest.raises(ValueError):
        Options(style="modern")
    with pytest.raises(ValueError):
        Options(beam=0)
    with pytest.raises(ValueError):
        Options(max_candidates=0)


def test_empty():
    assert vnrestore.restore("") == ""
    assert vnrestore.explain("") == []
    assert list(Restorer().restore_lines([])) == []


# --- random text -----------------------------------------------------------------------

PLAIN_WORDS = (
    "cong tac dan van la nhiem vu quan trong cua dang va nha nuoc trong thoi ky doi moi "
    "nguoi dan viet nam hoc sinh giao vien truong lop ban be gia dinh chung toi di ve que "
    "an com uong nuoc mua ban ho tro kinh te xa hoi phat trien nong thon thanh pho tinh "
    "huyen uy ban quyet dinh thong tu nghi dinh chinh phu thu tuong bo noi vu ngay thang nam "
    "khuya nghieng quy quynh thuy hoa giua gi nguoi duong duoc khong co mot hai ba"
).split()
FOREIGN_WORDS = "computer software network download update server broken with function string python windows".split()
NUMBERS = ["2010", "1.000.000", "20/11/2010", "15", "3,5", "08:30"]
CODES = ["6217/SNV-XDCQ&CTTN", "33/CT-TTg", "15/2020/QĐ-TTg", "ND-CP/2021", "https://example.vn/tin-tuc?id=7",
         "www.example.com", "lien.he@example.gov.vn", "COVID-19", "A4"]
RESPELLED_CODES = {"ND-CP/2021": "NĐ-CP/2021"}  # letters of an abbreviation typed without their Đ
PUNCT = [".", ",", ";", ":", "!", "?", "(", ")", "-", "\"", "…", "–", "/"]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\n \n", "\u00a0"]


def cased(word: str):
    return st.sampled_from([word, word, word.capitalize(), word.upper()])


word_piece = st.sampled_from(PLAIN_WORDS).flatmap(cased)


def make_texts(codes):
    piece = st.one_of(
        word_piece, word_piece, word_piece, word_piece,
        st.sampled_from(NUMBERS), st.sampled_from(codes), st.sampled_from(FOREIGN_WORDS), st.sampled_from(PUNCT),
    )
    return st.lists(st.tuples(piece, st.sampled_from(SPACES)), max_size=30).map(
        lambda parts: "".join(p + s for p, s in parts)
    )


texts = make_texts(CODES)


@both_paths
@given(texts)
@settings(max_examples=200, deadline=None)
def test_restore_only_changes_marks_of_words(text):
    out = vnrestore.restore(text, mode="plain")  # ocr mode may also change letters
    assert strip_accents(out) == strip_accents(text)
    before, after = list(tokenize(text)), list(tokenize(out))
    # same spans and kinds; only word tokens may differ, and then only in their marks
    assert [(t.start, t.end, t.kind) for t in before] == [(t.start, t.end, t.kind) for t in after]
    for b, a in zip(before, after):
        if b.kind == CODE and a.text != b.text:  # letters of a code's abbreviation (ND-CP -> NĐ-CP)
            assert strip_accents(a.text) == b.text
        elif b.kind != WORD:
            assert a.text == b.text
        elif a.text != b.text:
            assert key(a.text) == key(b.text)
            assert [c.isupper() for c in a.text] == [c.isupper() for c in b.text]
            assert is_valid_syllable(a.text.lower())


@both_paths
@given(texts)
@settings(max_examples=150, deadline=None)
def test_explain_agrees_with_restore(text):
    choices = vnrestore.explain(text)
    assert "".join(c.output for c in choices) == vnrestore.restore(text)
    pos = 0
    for c in choices:
        assert c.start == pos and c.end > c.start
        assert c.input == text[c.start: c.end]
        pos = c.end
        assert 0.0 <= c.confidence <= 1.0 + 1e-9
        if c.source == pipeline.RESTORED:
            assert c.kind == WORD
            assert key(c.output) == key(c.input)
            forms = [f for f, _ in c.alternatives]
            probs = [p for _, p in c.alternatives]
            assert c.output in forms
            assert len(set(forms)) == len(forms)
            assert sum(probs) == pytest.approx(1.0, abs=1e-6)
            assert probs == sorted(probs, reverse=True)
            assert dict(c.alternatives)[c.output] == pytest.approx(c.confidence)
            assert all(key(f) == key(c.input) for f in forms)
        else:
            assert c.output == c.input or (c.source == pipeline.ABBREVIATION and strip_accents(c.output) == c.input)
            assert c.alternatives == ()
        c.as_dict()  # serialisable view works
    assert pos == len(text)


# upper-case URLs are not recognised as URLs (test_tokenize.test_url_scheme_is_case_insensitive)
# (and codes typed without their Đ: only ALL-CAPS letters are abbreviations, ND-CP -> NĐ-CP)
@both_paths
@given(make_texts([c for c in CODES if "http" not in c and "www" not in c and c not in RESPELLED_CODES]))
@settings(max_examples=100, deadline=None)
def test_case_does_not_change_decisions(text):
    # one line only: a line break before a lower-case word continues a sentence, before
    # an upper-case one it does not, so case legitimately matters across lines; and
    # lower vs upper only: a Title-case word inside a sentence may be read as a name; and
    # an ALL-CAPS word may be read as a name too unless that is switched off
    line = " ".join(text.split())
    restorer = _caps_as_common_words()
    assert restorer.restore(line.upper()) == restorer.restore(line.lower()).upper()


@functools.cache
def _forgetful() -> Restorer:
    return Restorer(options=Options(memory_weight=0, trigger_weight=0))


@functools.cache
def _caps_as_common_words() -> Restorer:
    return Restorer(options=Options(caps_name_cost=None))


@both_paths
@given(texts)
@settings(max_examples=100, deadline=None)
def test_styles_make_the_same_choices(text):
    new, old = vnrestore.restore(text, style="new"), vnrestore.restore(text, style="old")
    toks_new, toks_old = list(tokenize(new)), list(tokenize(old))
    assert len(toks_new) == len(toks_old)
    for a, b in zip(toks_new, toks_old):
        if a.text != b.text:
            assert normalize_syllable(b.text.lower(), "new") == a.text.lower()
            assert normalize_syllable(a.text.lower(), "old") == b.text.lower()


# --- text that must come back unchanged ------------------------------------------------

ACCENTED = [
    "Hôm nay trời đẹp quá.",
    "Chúng tôi đang học tiếng Việt ở Hà Nội.",
    "Bà ấy mua rau ở chợ mỗi sáng.",
    "Ủy ban nhân dân tỉnh đã họp vào thứ hai.",
    "Thủ tướng Chính phủ ký Quyết định số 15/2020/QĐ-TTg ngày 20/11/2020.",
    "Người dân cần được hỗ trợ kịp thời.",
    "Hoà bình và thuỷ lợi là hai việc lớn.",
    "Anh cho em một quyển sách.",
    "Tôi yêu Việt Nam.",
    "ĐOÀN KẾT, ĐOÀN KẾT, ĐẠI ĐOÀN KẾT",
    # all-caps words that are Vietnamese only with a tone mark (ít, các, tốp): acronyms here
    "Nhiều công ty IT tham gia; ảnh: AP.",
    "Tổ chức Hợp tác Trung Á (CAC) được đổi tên, nhóm TOP dẫn đầu.",
    "Mùa thu năm ấy,\nchúng tôi về quê thăm ông bà.\n\nTrời còn khuya, đường nghiêng dốc.",
]


@pytest.mark.parametrize("sentence", ACCENTED)
def test_accented_text_is_kept(sentence):
    assert vnrestore.restore(sentence) == sentence
    assert vnrestore.restore(sentence, style="old") == sentence
    assert all(c.source != pipeline.RESTORED for c in vnrestore.explain(sentence))


@pytest.mark.parametrize("sentence", ACCENTED)
def test_nfd_accented_text_is_kept(sentence):
    assert vnrestore.restore(nfd(sentence)) == nfd(sentence)


# Regression (fixed in the source while these tests were written): segment.symbol() does not NFC-normalise NFD words, so an accented NFD word
# is <unk> to the LM and its plain neighbours lose their context
@pytest.mark.parametrize("accented, plain", [("Chủ", "tich nuoc"), ("Ủy ban nhân dân tỉnh", "quyet dinh thanh lap hoi dong")])
def test_nfd_context_counts_like_nfc(accented, plain):
    assert nfc(vnrestore.restore(nfd(accented) + " " + plain)) == vnrestore.restore(accented + " " + plain)


# Regression (fixed in the source while these tests were written): segment.symbol(NFD 'Chủ') is '<unk>', not 'chủ'
def test_nfd_words_have_their_lm_symbol():
    (tok,) = tokenize(nfd("Chủ"))
    assert tok.kind == WORD
    assert symbol(tok) == "chủ"


@both_paths
@given(st.lists(st.one_of(st.sampled_from(FOREIGN_WORDS), st.sampled_from([c for c in CODES if c not in RESPELLED_CODES]),
                          st.sampled_from(NUMBERS)),
                min_size=1, max_size=12),
       st.sampled_from(PLAIN_WORDS))
@settings(max_examples=60, deadline=None)
def test_foreign_words_and_codes_unchanged(items, vn):
    lexicon = shared_restorer().model.lexicon
    assert all(not lexicon.candidates(w) for w in FOREIGN_WORDS)  # no Vietnamese reading
    text = " ".join(items)
    assert vnrestore.restore(text) == text
    assert all(vnrestore.restore(c) == r for c, r in RESPELLED_CODES.items())
    # also next to words that are restored
    mixed = f"{vn} {text} {vn}"
    out = vnrestore.restore(mixed)
    assert out[len(vn) + 1: len(vn) + 1 + len(text)] == text


# Regression (fixed in the source while these tests were written): blocks.of_text cuts a run of more than 2*BLOCK_CHARS characters without
# whitespace anywhere; the tail of the cut code no longer has a digit and its pieces are
# restored as words
def test_very_long_code_is_unchanged(restorer):
    code = "1-" + "-".join(["cong"] * 40000)  # one code token of 200 001 characters
    assert len(list(tokenize(code))) == 1
    assert restorer.restore(code) == code


# --- exactness of the decoder on the real model ----------------------------------------

# No Title-case word inside a sentence here, so the decoder's objective is the LM alone
# (such words get an extra name prior) once the triggers are off.
@both_paths
@pytest.mark.parametrize("text", ["cong tac dan van", "Uy ban nhan dan tinh", "hoc sinh di hoc", "ba ban bao ba"])
def test_wide_beam_finds_best_path(text):
    restorer = Restorer(options=Options(beam=64, max_candidates=6, memory_weight=0,  # 6 * 6 states per step at most
                                        trigger_weight=0))
    lex, lm = restorer.model.lexicon, restorer.model.lm
    tokens = list(tokenize(text))
    (seg,) = segments(tokens)
    lattice = [lex.candidates(key(tokens[i].text))[:6] for i in seg]
    assert all(lattice)
    best = _best_path_score(text, tuple(tuple(c) for c in lattice))
    out = restorer.restore(text)
    chosen = [lex.id(normalize_syllable(t.text.lower())) for t in tokenize(out) if t.kind == WORD]
    assert lm.sequence_logprob(chosen, lex.id("<s>"), lex.id("</s>")) == pytest.approx(best, abs=1e-4)
    # and explain's posteriors (one word swapped, rest fixed) never prefer another form
    for c in restorer.explain(text):
        if c.alternatives:
            assert c.confidence >= max(p for _, p in c.alternatives) - 1e-9


@functools.cache
def _best_path_score(text: str, lattice: tuple[tuple[int, ...], ...]) -> float:
    """Brute force over every path (once per text, whichever decoder is under test)."""
    lex, lm = shared_restorer().model.lexicon, shared_restorer().model.lm
    return max(lm.sequence_logprob(list(p), lex.id("<s>"), lex.id("</s>")) for p in itertools.product(*lattice))


# --- threads and streaming ---------------------------------------------------------------

def test_shared_restorer_across_threads(restorer):
    rng = np.random.default_rng(3)
    inputs = [" ".join(rng.choice(PLAIN_WORDS, size=int(rng.integers(1, 40)))) + "." for _ in range(60)]
    expected = [restorer.restore(t) for t in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(restorer.restore, inputs * 3))
        explained = list(pool.map(restorer.explain, inputs))
    assert got == expected * 3
    assert ["".join(c.output for c in e) for e in explained] == expected


def test_default_restorer_from_threads():
    inputs = ["cong tac dan van", "Uy ban nhan dan", "hoa binh"] * 8
    styles = ["new", "old"] * 12
    expected = [vnrestore.restore(t, style=s) for t, s in zip(inputs, styles)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda ts: vnrestore.restore(ts[0], style=ts[1]), zip(inputs, styles)))
    assert got == expected


paragraph = st.lists(
    st.tuples(st.sampled_from(PLAIN_WORDS).flatmap(cased), st.sampled_from([" ", " ", " ", ", ", ". ", "\n"])),
    min_size=1, max_size=10,
).map(lambda parts: "".join(w + s for w, s in parts).strip(" ") + ".")
# Paragraphs (at most ~100 characters) much shorter than the patched block size, so that
# a paragraph break is always there to cut at.
texts_with_blank_lines = st.tuples(
    st.lists(paragraph, min_size=1, max_size=14),
    st.sampled_from(["\n\n", "\r\n\r\n", "\n\n\n", "\n \n"]),
    st.sampled_from(["", "\n", "\r\n"]),
).map(lambda a: a[1].join(a[0]) + a[2])


@both_paths
@given(texts_with_blank_lines, st.sampled_from([200, 500, 10 ** 9]))
@settings(max_examples=60, deadline=None)
def test_restore_lines_equals_restore(text, block_chars):
    restorer, forgetful = shared_restorer(), _forgetful()
    whole, whole_forgetful = restorer.restore(text), forgetful.restore(text)
    old = blocks.BLOCK_CHARS
    blocks.BLOCK_CHARS = block_chars  # small blocks: exercise the cutting with small texts
    try:
        lines = list(restorer.restore_lines(text.splitlines(keepends=True)))
        blocked = restorer.restore(text)
        explained = restorer.explain(text)
        blocked_forgetful = forgetful.restore(text)
    finally:
        blocks.BLOCK_CHARS = old
    # restore and restore_lines cut at the same places, so each word has the same
    # document memory and triggers; they read one block, so only without them does
    # cutting a text into small blocks leave every word as it was
    assert "".join(lines) == blocked
    assert "".join(c.output for c in explained) == blocked
    assert blocked_forgetful == whole_forgetful
    if block_chars == 10 ** 9:
        assert blocked == whole
    assert [c.start for c in explained] == sorted(c.start for c in explained)


# Regression (fixed in the source while these tests were written): blocks.of_text only looks for a cut after BLOCK_CHARS: when the text ends
# in a paragraph that crosses that mark, it cuts the sentence at a space although a
# paragraph break lies just before the mark ('Nuoc cong | hoa xa hoi ...' -> 'Nước cống
# hòa ...')
def test_block_cut_before_a_final_paragraph(restorer):
    block = blocks.BLOCK_CHARS
    filler = "Cong tac dan van la nhiem vu quan trong cua moi nguoi.\n\n"
    last = "Nuoc cong hoa xa hoi chu nghia Viet Nam"
    head = filler * (block // len(filler))
    # pad the head so that the first whitespace at or after BLOCK_CHARS follows "cong"
    pad = block - len(head) - len("Nuoc cong")
    assert pad > 2
    text = head + "x" * (pad - 2) + ".\n\n" + last
    cut = text.index(" hoa xa")
    assert cut >= block and not any(ch.isspace() for ch in text[block:cut])
    expected = restorer.restore(last)
    assert expected == "Nước cộng hòa xã hội chủ nghĩa Việt Nam"
    assert restorer.restore(text).endswith("\n\n" + expected)


def test_restore_lines_on_a_long_text(restorer):
    rng = np.random.default_rng(11)
    paragraphs = []
    while sum(map(len, paragraphs)) < 2.5 * blocks.BLOCK_CHARS:
        lines = [" ".join(rng.choice(PLAIN_WORDS, size=int(rng.integers(3, 15)))) for _ in range(int(rng.integers(1, 5)))]
        lines[0] = lines[0].capitalize()
        paragraphs.append("\n".join(lines) + ".")
    text = "\n\n".join(paragraphs) + "\n"
    assert len(text) > 2 * blocks.BLOCK_CHARS
    whole = restorer.restore(text)
    assert "".join(restorer.restore_lines(text.splitlines(keepends=True))) == whole
    assert "".join(restorer.restore_lines(iter(text.splitlines(keepends=True)))) == whole
    assert strip_accents(whole) == text


@both_paths
@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_any_text(text):
    assert strip_accents(vnrestore.restore(text, mode="plain")) == strip_accents(text)
    # auto mode may read a noisy text as OCR output and change the letters of words and of
    # letter-digit runs that OCR makes of words (0I -> ơi), never anything else
    out = vnrestore.restore(text)
    choices = vnrestore.explain(text)
    assert "".join(c.output for c in choices) == out
    for c in choices:
        if c.output != c.input:
            assert c.kind == WORD or (c.kind == CODE and NOISY_WORD.fullmatch(c.input)), c
