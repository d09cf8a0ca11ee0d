"""What the words around an OCR'd word say about it: OCR mode's planning rules.

The OCR error model scores one word at a time; these rules use the line it stands on.

* **Which lines were read by an English model at all.**  A line holding a letter that
  no English (Latin-1) OCR model prints - đ, ă, ơ, ư, ĩ, ũ and every letter with a hook
  or a dot below - is correct text or the output of a Vietnamese-aware engine, so its
  valid syllables are kept as written.  Without this, the error model, which learned
  that English OCR never prints "Đ" or "ư", "repairs" correct text (Độc -> Ốc).
* **Abbreviations.**  A short all-caps token that spells no syllable (TT, UBND, KT) in a
  line that is not itself all caps is what it looks like.
* **Keeping a word as read** needs evidence that it is not Vietnamese: it is capitalized
  or all caps (a name, an abbreviation, a code), or its neighbours are also words that
  no syllable explains (an English phrase).  A lower-case word among Vietnamese words
  (tir, ctr, chite, trudge) is a noisy syllable and gets no keep option.
* **Punctuation.**  A period between lower-case words is a comma the OCR misread.
* **Case.**  Digits and symbols stand for letters whose case OCR did not say ("T6" is
  Tổ, "S6:" is Số), and mixed case inside a word is noise ("chAm" is chấm): such a
  word is written Title or lower from its letters, UPPER only among all-caps words.
  Some letters' case is the OCR's shape error, learned from corpus pairs: a small ô,
  ơ, ỳ or í with its marks is read as a capital O, Y, I ("BO trwong" is Bộ trưởng, but
  Roman numerals and other vowels stay caps: "thế kỷ VI"); a capital Í as a small i
  or f ("Bi THU" is BÍ THƯ between all-caps words); a small l as a capital I ("I6n")
  or J; a small ủ or ứ as a capital G ("Tinh Gy" is Tỉnh ủy).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from .orthography import is_valid_syllable, strip_accents
from .tokenize import CODE, NEWLINE, NUMBER, PUNCT, SPACE, WORD, Token

if TYPE_CHECKING:  # pragma: no cover
    from .ocr import OcrCandidates

_SYMBOLS = "&@¢€¥£§"  # what this OCR writes for vowels it cannot read
# A code-like token is read as a noisy word when it is short and made of letters,
# digits and the symbols OCR puts for vowels (d6i, x3, 1am, v&i, hi¢n).
# "¢6" too: ¢ is this OCR's c (có), and no text writes cents before a number.
NOISY_WORD = regex.compile(rf"(?=.*\p{{L}})[\p{{L}}\p{{M}}\d{_SYMBOLS}]{{1,8}}|¢\d{{1,2}}")
LONE_SYMBOL = regex.compile(f"[{_SYMBOLS}]")  # "¢", "&" for ở, "¥" for ý, standing alone
_ROMAN = regex.compile(r"(?=[IVXLC])C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")  # I .. CCCXCIX

# Vietnamese letters outside Latin-1: an English OCR model has no way to print them.
VIETNAMESE_ONLY = frozenset(
    "đăơưĩũạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
ABBREVIATION_LETTERS = (2, 5)  # an all-caps token this long that spells no syllable
_VOWELS = frozenset("aeiouy")
_ENGLISH_PRINTS = frozenset("abcdefghijklmnopqrstuvwxyzé")  # all this OCR's letters, lower case
_D_READ_AS = frozenset("bp")  # what English OCR makes of a capital Đ, in lower case
# What it makes of a capital Í, Ì, Ỉ, Ĩ, Ị: the mark turns the I into a small letter
# ("Bi THU" is BÍ THƯ, "TiCH" TÍCH; corpus pairs: 15 such words between all-caps
# words, every one all caps in the gold).
_I_READ_AS = frozenset("ifjl")
# The capital letters it prints for a small vowel with marks: ô, ơ and their tones
# look like O, ỳ, ỷ like Y ("BO trwong" is Bộ trưởng).  Corpus pairs, a 2-3 letter
# all-caps word beside a lower-case one: BO, HO, SO, TO, KY Title 126 times of 127;
# other vowels (CUC, AO) and Roman numerals (VI, III, XIV) all caps every time.  I
# (í, ị: "Ban BI thu" is Ban Bí thư) stays as the rule had it before, Roman numerals
# aside: the pairs have no other such word.
_SMALL_READ_AS_CAPITAL = frozenset("OYI")
# Capitals English OCR prints for a small letter of another shape, and the first
# letters of a restored form that show it was that small letter.  Corpus pairs, a
# Title-case reading inside a sentence whose gold starts with another letter: G for ủ
# or ứ 5 times (all lower case in the gold), J for l 6 times (all lower case).
_CAPITAL_FOR_SMALL = {"G": "uúùủũụưứừửữự", "J": "l"}


@dataclass(frozen=True, slots=True)
class OcrWord(Token):
    """A token whose restored form takes its case from ``case`` (a case pattern such as
    "x", "Xx" or "X"), not from its noisy text."""

    case: str = ""
    title_if: str = ""  # a first letter that makes the form Title case ("b" read for Đ: "đ")
    lower_if: str = ""  # first letters that make it lower case ("I" read for l: "l")

    def case_for(self, form: str) -> str:
        """The case pattern for restored `form` (lower case)."""
        if self.title_if and form[:1] == self.title_if:
            return "Xx"
        if self.lower_if and form[:1] and form[:1] in self.lower_if:
            return "x"
        return self.case or self.text


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _has_vowel(text: str) -> bool:
    """A vowel, or after the first letter a small i-shape standing for a capital Í ("Bf")."""
    plain = strip_accents(text)
    return any(ch in _VOWELS for ch in plain.lower()) or any(ch in _I_READ_AS for ch in plain[1:])


def _upper_share(text: str, neutral: frozenset[str] = frozenset()) -> float:
    """Share of upper-case letters in text, not counting the (lower-case) `neutral` ones
    after the first letter ("Bf" for BÍ: 1.0 with neutral _I_READ_AS)."""
    letters = _letters(text)
    letters = letters[:1] + "".join(ch for ch in letters[1:] if ch not in neutral)
    return sum(ch.isupper() for ch in letters) / max(len(letters), 1)


class OcrContext:
    """Per-token facts about one block of (merged) tokens, computed once."""

    def __init__(self, tokens: list[Token], ocr: "OcrCandidates"):
        self.tokens = tokens
        self.ocr = ocr
        self.line_of: list[int] = []
        line = 0
        for tok in tokens:
            self.line_of.append(line)
            line += tok.kind == NEWLINE
        self.words: list[int] = [i for i, t in enumerate(tokens) if t.kind in (WORD, CODE)]
        self._position = {i: k for k, i in enumerate(self.words)}
        self._vietnamese: dict[int, bool] = {}
        self.vietnamese_lines = self._vietnamese_lines()

    def _vietnamese_lines(self) -> set[int]:
        """Lines not read by an English model: one word with a letter such a model cannot
        print, or two with accents other than the é it does print; and a short line of
        valid syllables next to such a line (a heading wrapped: "VIỆT" / "NAM")."""
        strong: dict[int, int] = {}
        weak: dict[int, int] = {}
        valid: dict[int, bool] = {}
        count: dict[int, int] = {}
        for i in self.words:
            line, text = self.line_of[i], self.tokens[i].text
            lower = unicodedata.normalize("NFC", text.lower())
            ok = is_valid_syllable(lower)
            count[line] = count.get(line, 0) + 1
            valid[line] = valid.get(line, True) and ok
            if ok and any(ch in VIETNAMESE_ONLY for ch in lower):
                strong[line] = strong.get(line, 0) + 1
            elif ok and not lower.isascii() and set(lower) - _ENGLISH_PRINTS:
                weak[line] = weak.get(line, 0) + 1
        lines = {line for line in count if strong.get(line) or weak.get(line, 0) >= 2}
        lines |= {line for line in count if count[line] <= 2 and valid[line]
                  and (line - 1 in lines or line + 1 in lines)}
        return lines

    # ---- facts -------------------------------------------------------------------

    def is_reading(self, i: int) -> bool:
        """Whether token i is a (possibly noisy) reading of a syllable."""
        tok = self.tokens[i]
        if tok.kind == WORD:
            return True
        if tok.kind == CODE:
            return NOISY_WORD.fullmatch(tok.text) is not None
        return tok.kind == PUNCT and LONE_SYMBOL.fullmatch(tok.text) is not None and self._between_words(i)

    def _between_words(self, i: int) -> bool:
        """A lone symbol standing where a syllable would: a space or a line's edge on
        each side, a word (or a closing bracket) beyond, and a lower-case word on one
        side ("chua ¢ nha", "hiém ¢ Viét", "tao) & trinh", "yéu thi &" ending a line);
        "Johnson & Johnson" is left alone."""
        before = self._beside(i, -1)
        after = self._beside(i, 1)
        if before is False or after is False:
            return False
        words = [t for t in (before, after) if t is not None and t.kind in (WORD, CODE)]
        return bool(words) and any(t.text.islower() for t in words) and (
            before is None or before.kind in (WORD, CODE) or before.text == ")") and (
            after is None or after.kind in (WORD, CODE))

    def _beside(self, i: int, step: int) -> "Token | None | bool":
        """The token across a space from token i (step -1: before it, 1: after it);
        None at a line's edge; False if nothing but a space or line break is there."""
        tokens = self.tokens
        j = i + step
        if not 0 <= j < len(tokens) or tokens[j].kind == NEWLINE:
            return None
        if tokens[j].kind != SPACE:
            return False
        k = j + step
        if not 0 <= k < len(tokens) or tokens[k].kind == NEWLINE:
            return None
        return tokens[k] if tokens[k].kind != SPACE else False

    def number_for_word(self, i: int) -> bool:
        """A one- or two-digit number between lower-case words on a line an English
        model read: as often OCR's "6" for ở/có/ô or "16" for lộ/lỗ as a number, so
        the decoder chooses (corpus pairs: "6" there was a number 37 times, a syllable 81)."""
        tok = self.tokens[i]
        if tok.kind != NUMBER or not (1 <= len(tok.text) <= 2) or self.line_of[i] in self.vietnamese_lines:
            return False
        before, after = self._beside(i, -1), self._beside(i, 1)
        return all(t and t.kind in (WORD, CODE) and t.text.islower() for t in (before, after))

    def vietnamese(self, i: int) -> bool:
        """Whether token i reads as a syllable: it spells a key, accents aside, or does
        once its digits and symbols are read as letters."""
        known = self._vietnamese.get(i)
        if known is None:
            text = self.tokens[i].text
            known = self.ocr.is_vietnamese_reading(text) or self.ocr.folds_to_key(text)
            self._vietnamese[i] = known
        return known

    def _neighbours(self, i: int, reach: int = 1) -> list[int]:
        """Word tokens within `reach` words of token i on its own line."""
        k = self._position.get(i)
        if k is None:
            return []
        line = self.line_of[i]
        out = []
        for j in list(range(k - reach, k)) + list(range(k + 1, k + reach + 1)):
            if 0 <= j < len(self.words) and self.line_of[self.words[j]] == line:
                out.append(self.words[j])
        return out

    def _caps_context(self, i: int) -> bool:
        """Whether the words next to token i on its line are all caps (a heading)."""
        around = [j for j in self._around(i) if len(_letters(self.tokens[j].text)) >= 3]
        return bool(around) and all(_upper_share(self.tokens[j].text) > 0.5 for j in around)

    def _lower_context(self, i: int) -> bool:
        """Whether a word next to token i is mostly lower case and none is a longer
        all-caps word: "BO trwong" is Bộ trưởng, "CHiNH PHU" a heading."""
        around = [j for j in self._neighbours(i) if self.tokens[j].kind == WORD]
        # a heading's word, even one the OCR spoilt ("PHI THUQC"); an abbreviation
        # ("TNCS HO Chi Minh") has no vowel and says nothing about the line
        long_caps = [j for j in self._neighbours(i) if len(_letters(self.tokens[j].text)) >= 2
                     and _upper_share(self.tokens[j].text, _I_READ_AS) > 0.5
                     and _has_vowel(self.tokens[j].text)]
        return any(_upper_share(self.tokens[j].text) <= 0.5 for j in around) and not long_caps

    def _between_caps(self, i: int) -> bool:
        """Whether every word next to token i across a space (one at least) is an
        all-caps word of two letters or more: "Bi THU", "XOA AN TiCH", "(b/c); Bi THU"."""
        around = [self.tokens[j].text for j in self._neighbours(i)
                  if all(self.tokens[k].kind == SPACE for k in range(min(i, j) + 1, max(i, j)))]
        return bool(around) and all(len(_letters(t)) >= 2 and _upper_share(t) > 0.5 for t in around)

    def _around(self, i: int) -> list[int]:
        """The words next to token i on its line that read as syllables."""
        return [j for j in self._neighbours(i) if self.tokens[j].kind in (WORD, CODE) and self.vietnamese(j)]

    def _in_compound(self, i: int) -> bool:
        """Whether token i is joined to a neighbour by a hyphen or slash ("QP-AN")."""
        tokens = self.tokens
        return (i >= 2 and tokens[i - 1].text in "-/" and tokens[i - 2].kind in (WORD, CODE)) or (
            i + 2 < len(tokens) and tokens[i + 1].text in "-/" and tokens[i + 2].kind in (WORD, CODE))

    def _line_start(self, i: int) -> bool:
        """Whether token i is the first word of its line."""
        k = self._position.get(i)
        return k is not None and (k == 0 or self.line_of[self.words[k - 1]] != self.line_of[i])

    def _sentence_start(self, i: int) -> bool:
        """Whether token i opens a sentence or a list item ("1.", "a)", "- "): not a
        line that continues the sentence of the line before.  A blank line ends a
        paragraph, so what follows it opens one, as the start of the text does."""
        breaks = 0
        for j in range(i - 1, -1, -1):
            tok = self.tokens[j]
            if tok.kind == NEWLINE:
                breaks += tok.text.count("\n") or 1
                if breaks >= 2:
                    return True
                continue
            if tok.kind == SPACE:
                continue
            return tok.kind == PUNCT and tok.text in ".!?()-–" and not self.comma_read_as_period(j)
        return True

    def comma_read_as_period(self, i: int) -> bool:
        """A period between two lower-case words on a line an English model read
        ("cac cip. trich"): a comma the OCR misread.  Correct text puts a period before a
        lower-case word about once per 500 commas there (after "Inc.", "v.v."), the
        scans of a thin font read commas as periods far more often than that."""
        tokens = self.tokens
        if tokens[i].text != "." or not (0 < i and i + 2 < len(tokens)):
            return False
        before, gap, after = tokens[i - 1], tokens[i + 1], tokens[i + 2]
        return (before.kind in (WORD, CODE) and gap.kind == SPACE and after.kind in (WORD, CODE)
                and len(_letters(before.text)) >= 2 and before.text[:1].islower()
                and after.text[:1].islower() and self.line_of[i] not in self.vietnamese_lines)

    # ---- decisions ---------------------------------------------------------------

    def written_syllable(self, i: int) -> bool:
        """A valid syllable on a line not read by an English model."""
        return self.line_of[i] in self.vietnamese_lines and is_valid_syllable(
            unicodedata.normalize("NFC", self.tokens[i].text.lower()))

    def kept_as_written(self, i: int) -> bool:
        """Valid syllables on a line not read by an English model; short all-caps
        abbreviations outside all-caps lines."""
        text = self.tokens[i].text
        if self.line_of[i] in self.vietnamese_lines:
            lower = unicodedata.normalize("NFC", text.lower())
            # valid syllables, and letters or consonant runs standing alone (điểm b, 5 km)
            # abbreviations and numerals (II, HĐND) too
            if (is_valid_syllable(lower) or not any(ch in _VOWELS for ch in strip_accents(lower))
                    or text.isupper()):
                return True
        if len(text) == 1 and i + 1 < len(self.tokens) and self.tokens[i + 1].text == ")":
            return True  # a list item's letter: "b) Thu, chi"
        low, high = ABBREVIATION_LETTERS
        return (self.tokens[i].kind == WORD and low <= len(text) <= high and text.isupper()
                and not self.vietnamese(i) and not self._caps_context(i))

    def keep_score(self, i: int, keep_score: float) -> float | None:
        """The channel score of keeping token i as read, or None when keeping it is
        not an option (it reads as a syllable, or nothing says it is not one)."""
        tok = self.tokens[i]
        if tok.kind == PUNCT:
            return keep_score  # "&" may be an ampersand
        if self.line_of[i] in self.vietnamese_lines:
            return keep_score  # correct text or a Vietnamese engine: a foreign word (ion, metro)
        if self.vietnamese(i):
            return None
        if tok.text[:1].isupper() or any(ch.isdigit() for ch in tok.text):
            return keep_score  # names, abbreviations, codes
        if tok.kind == WORD and not any(ch in _VOWELS for ch in strip_accents(tok.text.lower())):
            return keep_score  # no vowel: a letter or a unit (điểm c, 5 km) as often as noise (ctr)
        foreign = [j for j in self._neighbours(i, 2) if not self.vietnamese(j)]
        return keep_score if len(foreign) >= 2 else None

    def cased(self, i: int) -> Token:
        """Token i, with the case its restored form should take when its own text does
        not say it (digits, symbols or mixed case in the word)."""
        tok = self.tokens[i]
        text = tok.text
        letters = _letters(text)
        if letters == text and text.islower() and (text[:1] == "b" or (
                text[:1] in _D_READ_AS and (self._sentence_start(i) or self._line_start(i)))):
            # English OCR reads a capital Đ as "b" (or "P" as "p"), rarely a small one:
            # "biéu" is Điều if it is a đ at all, though "bên" stays bên
            return OcrWord(tok.start, tok.end, tok.kind, text, "", title_if="đ")
        if (len(text) > 1 and text[0] == "I" and not any(ch.isupper() for ch in text[1:])
                and (text[1:].islower() or letters != text) and not self._sentence_start(i)):
            # English OCR reads a small l as a capital I: "nop Ié phi" is nộp lệ phí,
            # "quoc té I6n nhit" quốc tế lớn nhất
            return OcrWord(tok.start, tok.end, tok.kind, text, "" if letters == text else "Xx", lower_if="l")
        if (len(text) > 1 and text[0] in _CAPITAL_FOR_SMALL and text[1:].islower()
                and not self._sentence_start(i)):
            # a capital G is how English OCR reads a small ủ or ứ, J a small l ("Tinh Gy"
            # is Tỉnh ủy, "két Juan" kết luận); a G-word that stays a g-word keeps its case
            return OcrWord(tok.start, tok.end, tok.kind, text, "", lower_if=_CAPITAL_FOR_SMALL[text[0]])
        if (letters == text and text.isupper() and len(text) <= 3 and text[-1] in _SMALL_READ_AS_CAPITAL
                and not any(ch in _VOWELS for ch in text[:-1].lower()) and not _ROMAN.fullmatch(text)
                and self.vietnamese(i) and self._lower_context(i) and not self._in_compound(i)):
            return OcrWord(tok.start, tok.end, tok.kind, text, "Xx")  # "BO trwong": Bộ (ộ read as O)
        if len(text) == 1 and text.isupper() and not self._caps_context(i):
            return OcrWord(tok.start, tok.end, tok.kind, text, "Xx")  # "T chic": Tổ chức
        if (letters[:1].isupper() and not letters.isupper()
                and {ch for ch in letters if ch.islower()} <= _I_READ_AS and self._between_caps(i)):
            return OcrWord(tok.start, tok.end, tok.kind, text, "X")  # "Bi THU": BÍ THƯ
        if letters == text and (text.islower() or text.isupper() or text.istitle()):
            return tok  # plain case shapes: apply_case reads them from the text
        if self._caps_context(i) or (len(letters) >= 2 and letters.isupper()):
            case = "X"
        elif letters[:1].isupper() and text[:1] == letters[:1]:
            case = "Xx"
        else:
            case = "x"
        return OcrWord(tok.start, tok.end, tok.kind, tok.text, case)

